// Tables of the ingestion application layer, next to the ledger in the service's schema. Written
// in the same transaction as the events they go with (synchronous and exact, unlike a
// projection), except known_units / known_use_cases, which the consumer of allocation events
// fills.
import { assertSchemaName } from '@plafond/ledger';

export const q = (schema: string, table: string): string => `"${schema}".${table}`;

export function ingestionTableStatements(schema: string): string[] {
  assertSchemaName(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    // (source, id) of every accepted usage, for dedupWindowMs; payload_hash tells a replay
    // (same normalised usage) from a conflict (same identity, other content).
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'dedup')} (
      source text NOT NULL,
      event_id text NOT NULL,
      payload_hash text NOT NULL,
      unit_id text NOT NULL,
      recorded_event_id text NOT NULL,
      first_seen_at timestamptz NOT NULL,
      PRIMARY KEY (source, event_id)
    )`,
    `CREATE INDEX IF NOT EXISTS dedup_first_seen ON ${q(schema, 'dedup')} (first_seen_at)`,
    // Every recorded usage with the values it carries now (recorded + adjustments): the
    // re-rating of a window reads it instead of folding the ledger. Not pruned.
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'rated_usage')} (
      source text NOT NULL,
      event_id text NOT NULL,
      unit_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded jsonb NOT NULL,
      energy_micro_wh bigint NOT NULL,
      carbon_micro_grams bigint NOT NULL,
      method text NOT NULL CHECK (method IN ('measured', 'modelled')),
      factor_set_version text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (source, event_id)
    )`,
    `CREATE INDEX IF NOT EXISTS rated_usage_occurred ON ${q(schema, 'rated_usage')} (occurred_at)`,
    // Units and use cases allocation knows, learned from its public events.
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'known_units')} (
      unit_id text PRIMARY KEY,
      archived_at timestamptz,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'known_use_cases')} (
      use_case text PRIMARY KEY,
      retired_at timestamptz,
      updated_at timestamptz NOT NULL
    )`,
  ];
}

export function ingestionTableDownStatements(schema: string): string[] {
  assertSchemaName(schema);
  return ['known_use_cases', 'known_units', 'rated_usage', 'dedup'].map(
    (table) => `DROP TABLE IF EXISTS ${q(schema, table)}`,
  );
}
