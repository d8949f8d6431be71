import { quoteIdentifier } from '../database/data-source';

export const API_KEYS_TABLE = 'api_keys';
/** `created_by` (and `revoked_by`) of the key installed from ADMIN_API_KEY. */
export const BOOTSTRAP_ACTOR = 'config:ADMIN_API_KEY';
export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';
export const API_KEY_NAME_MAX_LENGTH = 100;
export const SCOPE_UNIT_ID_MAX_LENGTH = 200;

/**
 * The API key table of one service's schema (idempotent). Each service adds these statements to
 * one of its migrations. Only the SHA-256 of a key's secret is stored; rows are never deleted, a
 * revoked key keeps its row for the audit trail.
 */
export function apiKeyTableStatements(schema: string): string[] {
  const table = `${quoteIdentifier(schema)}.${API_KEYS_TABLE}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      key_id text PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{12}$'),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND ${API_KEY_NAME_MAX_LENGTH}),
      role text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{0,39}$'),
      scope_unit_id text NULL CHECK (char_length(scope_unit_id) BETWEEN 1 AND ${SCOPE_UNIT_ID_MAX_LENGTH}),
      secret_sha256 bytea NOT NULL CHECK (octet_length(secret_sha256) = 32),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz NULL,
      revoked_by text NULL,
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
    )`,
    `CREATE INDEX IF NOT EXISTS ${API_KEYS_TABLE}_created_by_idx ON ${table} (created_by) WHERE revoked_at IS NULL`,
  ];
}

/** Reverse of `apiKeyTableStatements` (drops every key). */
export function apiKeyTableDownStatements(schema: string): string[] {
  return [`DROP TABLE IF EXISTS ${quoteIdentifier(schema)}.${API_KEYS_TABLE}`];
}
