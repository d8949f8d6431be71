// Test-only: a fresh database with the ledger, its subscription tables and the read model in one
// schema (as the service's migration lays them out), and a PostgresEventStore on it.
import { PostgresEventStore, ledgerSchemaStatements, pgPoolSource } from '@plafond/ledger';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import { readModelStatements } from '../unit-balances.projection';

export const SCHEMA = 'allocation';

export interface ReadTestKit {
  database: TestDatabase;
  pool: Pool;
  store: PostgresEventStore;
  close(): Promise<void>;
}

export async function createReadTestKit(label: string): Promise<ReadTestKit> {
  const database = await createTestDatabase(label);
  const pool = new Pool({ connectionString: database.url, max: 6 });
  for (const statement of [...ledgerSchemaStatements(SCHEMA), ...readModelStatements(SCHEMA)])
    await pool.query(statement);
  const store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });
  return {
    database,
    pool,
    store,
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/** Waits until the database's clock is past `instant`, so later events are recorded after it. */
export async function clockPast(pool: Pool, instant: Date): Promise<void> {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { rows } = await pool.query<{ past: boolean }>(
      "SELECT clock_timestamp() > $1::timestamptz + interval '1 millisecond' AS past",
      [instant.toISOString()],
    );
    if (rows[0]?.past === true) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`the database clock never passed ${instant.toISOString()}`);
}
