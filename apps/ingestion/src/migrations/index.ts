import { createLedgerMigration } from '@plafond/ledger';
import {
  apiKeyTableDownStatements,
  apiKeyTableStatements,
  MigrationClass,
  sqlMigration,
} from '@plafond/platform';
import { ingestionTableDownStatements, ingestionTableStatements } from '../application';
import { integratorTableDownStatements, integratorTableStatements } from '../integrators';

/**
 * The ingestion schema's migrations, in the order `npm run migrate` applies them; readiness checks
 * they were. Append only: never reorder, rename or edit a migration once it has run anywhere.
 * A function of the schema, so a service configured with another DATABASE_SCHEMA stays coherent.
 *
 * runMigrations creates the schema and TypeORM's `migrations` table in it; the ledger's tables
 * (events, streams, snapshots, subscription checkpoints, inbox) come first.
 */
export function ingestionMigrations(schema: string): MigrationClass[] {
  return [
    createLedgerMigration(schema),
    sqlMigration({
      name: 'IngestionTables',
      timestamp: 1_800_000_100_000,
      schema,
      up: ingestionTableStatements,
      down: ingestionTableDownStatements,
    }),
    sqlMigration({
      name: 'IngestionAccess',
      timestamp: 1_800_000_200_000,
      schema,
      up: (s) => [...apiKeyTableStatements(s), ...integratorTableStatements(s)],
      down: (s) => [...integratorTableDownStatements(s), ...apiKeyTableDownStatements(s)],
    }),
  ];
}
