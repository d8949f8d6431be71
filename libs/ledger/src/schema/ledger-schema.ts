import { LedgerInvalidArgumentError } from '../errors';

/** Message prefix raised by the append-only trigger; stable so callers and tests can match it. */
export const LEDGER_IMMUTABLE_MESSAGE = 'LEDGER.IMMUTABLE: events are append-only';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are interpolated into SQL, so only plain lower-case identifiers are accepted. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new LedgerInvalidArgumentError(
      `schema "${schema}" must match ${String(SCHEMA_NAME)} (lower-case letters, digits, underscores)`,
    );
  }
}

/**
 * DDL of the ledger in `schema`, idempotent (safe to run twice) so that statement lists of
 * several parts (the ledger, its subscriptions) can be concatenated into one migration.
 *
 * - events: append-only. `transaction_id` (xid8) + `global_position` give the commit-safe read
 *   order; `recorded_at` is `clock_timestamp()` (the insert instant, not the transaction start),
 *   so within a stream it follows the stream's order; millisecond precision so that it survives a
 *   JavaScript Date round trip exactly.
 * - streams: one row per stream holding its head (version, last hash). Appends update it
 *   conditionally, which both enforces the expected version and serialises appenders of one stream.
 *   `last_xid` is the transaction id of the head's last writer: an append requires it to be at
 *   most its own, so a stream's versions follow readAll's (transaction_id, position) order.
 * - snapshots: a verified cache of folded state keyed by stream + snapshot name (the evolve
 *   version); `checksum` (SHA-256 of name, stream, version, anchor hash and state) is checked on
 *   load, and only the newest few per stream and name are kept.
 */
export function ledgerMigrationStatements(schema: string): string[] {
  assertSchemaName(schema);
  const s = `"${schema}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.events (
      global_position bigint GENERATED ALWAYS AS IDENTITY,
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      event_id text COLLATE "C" NOT NULL,
      stream_id text COLLATE "C" NOT NULL,
      stream_version bigint NOT NULL,
      event_type text NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
      recorded_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      hash bytea NOT NULL,
      prev_hash bytea,
      CONSTRAINT events_pkey PRIMARY KEY (transaction_id, global_position),
      CONSTRAINT events_event_id_key UNIQUE (event_id),
      CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
      CONSTRAINT events_stream_version_positive CHECK (stream_version >= 1),
      CONSTRAINT events_hash_length CHECK (length(hash) = 32),
      CONSTRAINT events_prev_hash_first CHECK ((stream_version = 1) = (prev_hash IS NULL))
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.streams (
      stream_id text COLLATE "C" PRIMARY KEY,
      version bigint NOT NULL CHECK (version >= 1),
      last_hash bytea NOT NULL CHECK (length(last_hash) = 32),
      last_recorded_at timestamptz(3) NOT NULL,
      last_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
    ) WITH (fillfactor = 80)`,
    `CREATE TABLE IF NOT EXISTS ${s}.snapshots (
      stream_id text COLLATE "C" NOT NULL,
      snapshot_name text COLLATE "C" NOT NULL,
      stream_version bigint NOT NULL,
      global_position bigint NOT NULL,
      max_recorded_at timestamptz(3) NOT NULL,
      last_hash bytea NOT NULL,
      state jsonb NOT NULL,
      checksum bytea NOT NULL CHECK (length(checksum) = 32),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (stream_id, snapshot_name, stream_version)
    )`,
    `CREATE OR REPLACE FUNCTION ${s}.ledger_refuse_event_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '${LEDGER_IMMUTABLE_MESSAGE} (% refused on %.%)', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`,
    `CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_refuse_event_change()`,
    `CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON ${s}.events
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.ledger_refuse_event_change()`,
    // ALWAYS: the triggers also fire under `session_replication_role = replica`, so bypassing them
    // takes DDL (ALTER TABLE ... DISABLE TRIGGER, owner or superuser only), not a session setting.
    `ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_append_only`,
    `ALTER TABLE ${s}.events ENABLE ALWAYS TRIGGER events_no_truncate`,
  ];
}

/** Reverse of `ledgerMigrationStatements`; drops history, so only for tests and fresh installs. */
export function ledgerDownStatements(schema: string): string[] {
  assertSchemaName(schema);
  const s = `"${schema}"`;
  return [
    `DROP TABLE IF EXISTS ${s}.snapshots`,
    `DROP TABLE IF EXISTS ${s}.streams`,
    `DROP TABLE IF EXISTS ${s}.events`,
    `DROP FUNCTION IF EXISTS ${s}.ledger_refuse_event_change()`,
  ];
}

/**
 * Grants for the application's runtime role, which should not own the tables (an owner can
 * disable triggers). It may read and insert events but never update, delete or truncate them.
 */
export function ledgerRoleGrantStatements(schema: string, role: string): string[] {
  assertSchemaName(schema);
  if (!SCHEMA_NAME.test(role)) {
    throw new LedgerInvalidArgumentError(`role "${role}" must match ${String(SCHEMA_NAME)}`);
  }
  const s = `"${schema}"`;
  const r = `"${role}"`;
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE ALL ON ${s}.events FROM ${r}`,
    `GRANT SELECT, INSERT ON ${s}.events TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE ON ${s}.streams TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${s}.snapshots TO ${r}`,
  ];
}
