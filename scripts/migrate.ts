// `npm run migrate`: brings each service's schema up to date on DATABASE_URL, one schema after
// the other (allocation, ingestion, billing). Idempotent: a second run applies nothing. Safe to
// run from several places at once (each schema is migrated under an advisory lock).
//
//   DATABASE_URL=postgres://user:password@host:5432/plafond node dist/scripts/migrate.js
//
// The schemas are the services' default DATABASE_SCHEMA values; a service configured with another
// schema needs its migrations run against that schema (runMigrations from @plafond/platform).
import {
  ConfigError,
  createDataSource,
  JsonLogger,
  MigrationClass,
  runMigrations,
} from '@plafond/platform';
import { allocationMigrations } from '../apps/allocation/src/migrations';
import { billingMigrations } from '../apps/billing/src/migrations';
import { ingestionMigrations } from '../apps/ingestion/src/migrations';

export interface SchemaMigrations {
  readonly service: string;
  readonly schema: string;
  readonly migrations: readonly MigrationClass[];
}

export const SERVICE_MIGRATIONS: readonly SchemaMigrations[] = [
  { service: 'allocation', schema: 'allocation', migrations: allocationMigrations('allocation') },
  { service: 'ingestion', schema: 'ingestion', migrations: ingestionMigrations('ingestion') },
  { service: 'billing', schema: 'billing', migrations: billingMigrations('billing') },
];

export interface SchemaMigrationResult {
  readonly schema: string;
  readonly applied: readonly string[];
}

/** Migrates every service schema in turn; stops at the first failure (its transaction is rolled back). */
export async function migrateAll(
  databaseUrl: string,
  logger: JsonLogger,
): Promise<SchemaMigrationResult[]> {
  const results: SchemaMigrationResult[] = [];
  for (const { schema, migrations } of SERVICE_MIGRATIONS) {
    const dataSource = createDataSource({
      url: databaseUrl,
      schema,
      poolMax: 1,
      migrations,
      applicationName: 'plafond-migrate',
    });
    await dataSource.initialize();
    try {
      const applied = await runMigrations(dataSource);
      logger.write(
        'info',
        applied.length === 0 ? `${schema}: up to date` : `${schema}: applied ${applied.length}`,
        { schema, applied, known: migrations.length },
        'Migrate',
      );
      results.push({ schema, applied });
    } finally {
      await dataSource.destroy();
    }
  }
  return results;
}

function databaseUrlFromEnvironment(): string {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required' }]);
  }
  if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
    throw new ConfigError([
      { variable: 'DATABASE_URL', message: 'must be a PostgreSQL URL such as postgres://host/db' },
    ]);
  }
  return url;
}

async function main(): Promise<void> {
  let databaseUrl: string;
  try {
    databaseUrl = databaseUrlFromEnvironment();
  } catch (error) {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = new JsonLogger({ service: 'migrate' });
  try {
    await migrateAll(databaseUrl, logger);
  } catch (error) {
    logger.write('fatal', 'migration failed', { err: error }, 'Migrate');
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
