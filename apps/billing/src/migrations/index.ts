import { createLedgerMigration } from '@plafond/ledger';
import { MigrationClass } from '@plafond/platform';

/**
 * The billing schema's migrations, in the order `npm run migrate` applies them; readiness checks
 * they were. Append only: never reorder, rename or edit a migration once it has run anywhere.
 * A function of the schema, so a service configured with another DATABASE_SCHEMA stays coherent.
 *
 * runMigrations creates the schema and TypeORM's `migrations` table in it; the ledger's tables
 * (events, streams, snapshots, subscription checkpoints, inbox) come first.
 */
export function billingMigrations(schema: string): MigrationClass[] {
  return [createLedgerMigration(schema)];
}
