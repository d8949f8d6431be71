import { createLedgerMigration, projectionMigrationStatements } from '@plafond/ledger';
import {
  apiKeyTableDownStatements,
  apiKeyTableStatements,
  MigrationClass,
  sqlMigration,
} from '@plafond/platform';
import { directoryTableDownStatements, directoryTableStatements } from '../application';
import { messagingTableDownStatements, messagingTableStatements } from '../messaging';
import { BOOKS_PROJECTION, BOOKS_TABLES } from '../read/books.projection';

/**
 * The billing schema's migrations, in the order `npm run migrate` applies them; readiness checks
 * they were. Append only: never reorder, rename or edit a migration once it has run anywhere.
 * A function of the schema, so a service configured with another DATABASE_SCHEMA stays coherent.
 *
 * runMigrations creates the schema and TypeORM's `migrations` table in it; the ledger's tables
 * (events, streams, snapshots, subscription checkpoints, inbox) come first, then billing's own:
 * the allocation directory (units, use cases, overrun debits), the `billing-books` read model
 * (projected inline by every append), the consumers' dead letters and the API keys.
 */
export function billingMigrations(schema: string): MigrationClass[] {
  return [
    createLedgerMigration(schema),
    sqlMigration({
      name: 'BillingTables',
      timestamp: 1_800_000_300_000,
      schema,
      up: (s) => [
        ...directoryTableStatements(s),
        ...projectionMigrationStatements(BOOKS_PROJECTION, s),
        ...messagingTableStatements(s),
        ...apiKeyTableStatements(s),
      ],
      down: (s) => [
        ...apiKeyTableDownStatements(s),
        ...messagingTableDownStatements(s),
        ...Object.values(BOOKS_TABLES)
          .reverse()
          .map((table) => `DROP TABLE IF EXISTS "${s}".${table}`),
        ...directoryTableDownStatements(s),
      ],
    }),
  ];
}
