import { createLedgerMigration } from '@plafond/ledger';
import {
  apiKeyTableDownStatements,
  apiKeyTableStatements,
  MigrationClass,
  sqlMigration,
} from '@plafond/platform';
import {
  applicationTableDownStatements,
  applicationTableStatements,
  refusalTableDownStatements,
  refusalTableStatements,
} from '../application';
import { messagingTableDownStatements, messagingTableStatements } from '../messaging';
import { readModelDownStatements, readModelStatements } from '../read';

/**
 * The allocation schema's migrations, in the order `npm run migrate` applies them; readiness checks
 * they were. Append only: never reorder, rename or edit a migration once it has run anywhere.
 * A function of the schema, so a service configured with another DATABASE_SCHEMA stays coherent.
 *
 * runMigrations creates the schema and TypeORM's `migrations` table in it; the ledger's tables
 * (events, streams, snapshots, subscription checkpoints, inbox) come first, then the service's
 * own tables: the index tables the commands keep in the same transaction as their appends
 * (budgets, budget_units, reservations, budget_commands), the unit-balances projection, the
 * consumer's dead letters and the API keys.
 */
export function allocationMigrations(schema: string): MigrationClass[] {
  return [
    createLedgerMigration(schema),
    sqlMigration({
      name: 'AllocationTables',
      timestamp: 1_800_000_100_000,
      schema,
      up: (s) => [
        ...applicationTableStatements(s),
        ...readModelStatements(s),
        ...messagingTableStatements(s),
        ...apiKeyTableStatements(s),
      ],
      down: (s) => [
        ...apiKeyTableDownStatements(s),
        ...messagingTableDownStatements(s),
        ...readModelDownStatements(s),
        ...applicationTableDownStatements(s),
      ],
    }),
    // Refused reservations counted per minute (an aggregate beside the ledger, not in it).
    sqlMigration({
      name: 'ReservationRefusals',
      timestamp: 1_800_000_200_000,
      schema,
      up: refusalTableStatements,
      down: refusalTableDownStatements,
    }),
  ];
}
