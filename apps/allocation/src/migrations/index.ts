import { MigrationClass } from '@plafond/platform';

/**
 * The allocation schema's migrations, in the order `npm run migrate` applies them; readiness checks
 * they were. Append only: never reorder, rename or edit a migration once it has run anywhere.
 * A function of the schema, so a service configured with another DATABASE_SCHEMA stays coherent.
 *
 * Empty until the first feature that stores data: runMigrations creates the schema and TypeORM's
 * `migrations` table in it. The ledger's tables arrive as one line here:
 * `createLedgerMigration(schema)` from @plafond/ledger.
 */
export function allocationMigrations(_schema: string): MigrationClass[] {
  return [];
}
