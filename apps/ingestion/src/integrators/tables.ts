// Integrators (the systems that report usage) and the link from a platform API key (role
// `integrator`, table api_keys) to its integrator. Idempotent DDL, in the service's schema.
import { assertSchemaName } from '@plafond/ledger';

const q = (schema: string, table: string): string => `"${schema}".${table}`;

export function integratorTableStatements(schema: string): string[] {
  assertSchemaName(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'integrators')} (
      integrator_id text PRIMARY KEY,
      name text NOT NULL,
      source text NOT NULL UNIQUE,
      unit_ids text[] NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${q(schema, 'integrator_keys')} (
      key_id text PRIMARY KEY,
      integrator_id text NOT NULL REFERENCES ${q(schema, 'integrators')} (integrator_id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX IF NOT EXISTS integrator_keys_integrator ON ${q(schema, 'integrator_keys')} (integrator_id)`,
  ];
}

export function integratorTableDownStatements(schema: string): string[] {
  assertSchemaName(schema);
  return ['integrator_keys', 'integrators'].map(
    (table) => `DROP TABLE IF EXISTS ${q(schema, table)}`,
  );
}
