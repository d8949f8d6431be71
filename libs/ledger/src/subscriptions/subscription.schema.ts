import { qualifiedName } from './identifiers';

export const CHECKPOINTS_TABLE = 'subscription_checkpoints';
export const INBOX_TABLE = 'inbox';

/**
 * DDL for subscription checkpoints and the consumer inbox, appended to the ledger migration.
 * Idempotent (IF NOT EXISTS) so the migration can be re-run.
 */
export function subscriptionMigrationStatements(schema: string): string[] {
  const checkpoints = qualifiedName(schema, CHECKPOINTS_TABLE);
  const inbox = qualifiedName(schema, INBOX_TABLE);
  return [
    // (transaction_id, global_position) is the commit-order position readAll resumes after;
    // xid8 matches the events table so both can be compared in SQL.
    `CREATE TABLE IF NOT EXISTS ${checkpoints} (
      name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
      transaction_id xid8 NOT NULL,
      global_position bigint NOT NULL CHECK (global_position >= 0),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE IF NOT EXISTS ${inbox} (
      consumer text NOT NULL CHECK (length(consumer) BETWEEN 1 AND 200),
      message_id text NOT NULL CHECK (length(message_id) BETWEEN 1 AND 500),
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`,
    // Lets an operator prune old inbox rows per consumer without a sequential scan.
    `CREATE INDEX IF NOT EXISTS inbox_processed_at_idx ON ${inbox} (consumer, processed_at)`,
  ];
}
