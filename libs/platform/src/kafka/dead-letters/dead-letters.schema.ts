// The dead_letters table of a service's schema. Each service adds these statements to one of its
// migrations (allocation's AllocationTables, billing's BillingTables): keep the text as it is,
// migrations that already ran were made from it.
import { quoteIdentifier } from '../../database/data-source';

export const DEAD_LETTERS_TABLE = 'dead_letters';

/** `"schema".dead_letters`, after checking the schema name (it is interpolated into SQL). */
export function deadLettersTable(schema: string): string {
  return `${quoteIdentifier(schema)}.${DEAD_LETTERS_TABLE}`;
}

/**
 * Idempotent DDL. One row per Kafka record a consumer could not apply: the record as received
 * (key, headers, value bytes), where it was (topic, partition, offset) and why. The unique key
 * makes a redelivered record a no-op; `dead_letter_id` orders the admin listing.
 */
export function deadLetterTableStatements(schema: string): string[] {
  const table = deadLettersTable(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      dead_letter_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      consumer text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      key bytea NULL,
      headers jsonb NOT NULL,
      value bytea NULL,
      error_code text NOT NULL,
      error_message text NOT NULL,
      error_details jsonb NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT dead_letters_record_key UNIQUE (consumer, topic, partition, "offset")
    )`,
  ];
}

/** Reverse of `deadLetterTableStatements` (drops every dead letter). */
export function deadLetterTableDownStatements(schema: string): string[] {
  return [`DROP TABLE IF EXISTS ${deadLettersTable(schema)}`];
}
