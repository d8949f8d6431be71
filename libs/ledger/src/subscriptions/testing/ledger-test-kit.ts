// Test-only helpers for the subscription, relay, inbox and replay integration tests: a fresh
// database with the ledger and subscription tables, and a store on it.
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { PostgresEventStore } from '../../postgres/postgres-event-store';
import { pgPoolSource } from '../../postgres/sql-executor';
import { ledgerMigrationStatements } from '../../schema/ledger-schema';
import type { EventToAppend } from '../../types';
import { subscriptionMigrationStatements } from '../subscription.schema';

export const LEDGER_SCHEMA = 'ledger';

export interface LedgerTestKit {
  database: TestDatabase;
  pool: Pool;
  store: PostgresEventStore;
  close(): Promise<void>;
}

export async function createLedgerTestKit(label: string): Promise<LedgerTestKit> {
  const database = await createTestDatabase(label);
  const pool = new Pool({ connectionString: database.url, max: 8 });
  for (const statement of [
    ...ledgerMigrationStatements(LEDGER_SCHEMA),
    ...subscriptionMigrationStatements(LEDGER_SCHEMA),
  ]) {
    await pool.query(statement);
  }
  const store = new PostgresEventStore({ schema: LEDGER_SCHEMA, connection: pgPoolSource(pool) });
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

/** `count` small events carrying integer-string amounts (quantities are never floats). */
export function amountEvents(
  count: number,
  firstAmount: bigint,
  partitionKey?: string,
): EventToAppend[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'AmountRecorded',
    data: { amount: (firstAmount + BigInt(index)).toString() },
    metadata: partitionKey === undefined ? {} : { partitionKey },
  }));
}
