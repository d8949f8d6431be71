import type { MigrationInterface, QueryRunner } from 'typeorm';

import {
  CHECKPOINTS_TABLE,
  INBOX_TABLE,
  subscriptionMigrationStatements,
} from '../subscriptions/subscription.schema';
import { ledgerDownStatements, ledgerMigrationStatements } from './ledger-schema';

/** 2027-01-15: later than any app's initial migration written before the ledger existed. */
export const LEDGER_MIGRATION_TIMESTAMP = 1_800_000_000_000;

export interface LedgerMigrationOptions {
  /**
   * TypeORM orders migrations by the 13-digit timestamp ending their name. Override it to place
   * the ledger elsewhere in an app's sequence; never change it once the migration has run.
   */
  timestamp?: number;
  /** More statements for the same schema (e.g. subscription tables), run after the ledger's. */
  extraStatements?: (schema: string) => string[];
  extraDownStatements?: (schema: string) => string[];
}

type MigrationClass = new () => MigrationInterface;

/** Everything the ledger needs in one schema: events, streams, snapshots, checkpoints, inbox. */
export function ledgerSchemaStatements(schema: string): string[] {
  return [...ledgerMigrationStatements(schema), ...subscriptionMigrationStatements(schema)];
}

/** Reverse of `ledgerSchemaStatements` (drops history: tests and fresh installs only). */
export function ledgerSchemaDownStatements(schema: string): string[] {
  return [
    `DROP TABLE IF EXISTS "${schema}".${INBOX_TABLE}`,
    `DROP TABLE IF EXISTS "${schema}".${CHECKPOINTS_TABLE}`,
    ...ledgerDownStatements(schema),
  ];
}

/**
 * A TypeORM migration class creating the ledger (with its subscription tables) in `schema`. The class name (which TypeORM stores
 * in its migrations table) is `Ledger<Schema><timestamp>`, unique per schema.
 */
export function createLedgerMigration(
  schema: string,
  options: LedgerMigrationOptions = {},
): MigrationClass {
  const up = [...ledgerSchemaStatements(schema), ...(options.extraStatements?.(schema) ?? [])];
  const down = [
    ...(options.extraDownStatements?.(schema) ?? []),
    ...ledgerSchemaDownStatements(schema),
  ];
  const timestamp = options.timestamp ?? LEDGER_MIGRATION_TIMESTAMP;
  if (!Number.isSafeInteger(timestamp) || String(timestamp).length !== 13) {
    throw new TypeError(
      `migration timestamp must be a 13-digit millisecond timestamp, got ${timestamp}`,
    );
  }
  const name = `Ledger${pascal(schema)}${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of up) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of down) await queryRunner.query(statement);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}

function pascal(schema: string): string {
  return schema
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
