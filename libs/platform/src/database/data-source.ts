import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export type MigrationClass = new () => MigrationInterface;

export interface DataSourceSettings {
  readonly url: string;
  /** The schema the service owns; TypeORM's `migrations` table lives there too. */
  readonly schema: string;
  readonly poolMax: number;
  /** Listed explicitly (no globs) so the same list works from sources, dist and tests. */
  readonly migrations: readonly MigrationClass[];
  /** Shown in pg_stat_activity, e.g. `plafond-allocation`. */
  readonly applicationName: string;
  readonly connectTimeoutMs?: number;
}

export const MIGRATIONS_TABLE = 'migrations';
const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

export function dataSourceOptions(settings: DataSourceSettings): PostgresConnectionOptions {
  if (!schemaName.test(settings.schema)) {
    throw new Error(
      `not a schema name this code quotes safely: ${JSON.stringify(settings.schema)}`,
    );
  }
  if (!Number.isInteger(settings.poolMax) || settings.poolMax < 1) {
    throw new Error(`poolMax must be a positive integer, got ${settings.poolMax}`);
  }
  return {
    type: 'postgres',
    url: settings.url,
    schema: settings.schema,
    applicationName: settings.applicationName,
    // The schema changes only through reviewed migrations, run by `npm run migrate`.
    synchronize: false,
    migrationsRun: false,
    migrations: [...settings.migrations],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'all',
    entities: [],
    logging: false,
    connectTimeoutMS: settings.connectTimeoutMs ?? 5000,
    extra: { max: settings.poolMax },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

/** The schema a migration runs against, so one migration class serves any configured schema. */
export function migrationSchema(queryRunner: QueryRunner): string {
  const { schema } = queryRunner.connection.options as PostgresConnectionOptions;
  if (schema === undefined || !schemaName.test(schema)) {
    throw new Error(`migration needs a data source with a safe schema, got ${String(schema)}`);
  }
  return schema;
}

/** `"schema"`; only for names already checked against the identifier pattern above. */
export function quoteIdentifier(identifier: string): string {
  if (!schemaName.test(identifier)) {
    throw new Error(`refusing to quote ${JSON.stringify(identifier)} as an identifier`);
  }
  return `"${identifier}"`;
}
