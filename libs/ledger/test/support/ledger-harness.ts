import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';

import { PostgresEventStore, ledgerMigrationStatements, pgPoolSource } from '@plafond/ledger';

/** One database per test file; each test gets its own schema so readAll sees only its events. */
export interface LedgerHarness {
  readonly database: TestDatabase;
  readonly pool: Pool;
  /** A new, migrated schema and a store on it. */
  freshStore(): Promise<PostgresEventStore>;
  close(): Promise<void>;
}

export async function createLedgerHarness(label: string, poolSize = 10): Promise<LedgerHarness> {
  const database = await createTestDatabase(label);
  const pool = new Pool({ connectionString: database.url, max: poolSize });
  let schemas = 0;
  return {
    database,
    pool,
    async freshStore() {
      schemas += 1;
      const schema = `ledger_${schemas}`;
      for (const statement of ledgerMigrationStatements(schema)) await pool.query(statement);
      return new PostgresEventStore({ schema, connection: pgPoolSource(pool) });
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}
