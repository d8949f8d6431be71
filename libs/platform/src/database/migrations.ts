import { DataSource, Migration, MigrationExecutor, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { MIGRATIONS_TABLE, quoteIdentifier } from './data-source';

export interface MigrationRunOptions {
  /** How long to wait for another process migrating the same schema. */
  readonly lockTimeoutMs?: number;
}

function schemaOf(dataSource: DataSource): string {
  const { schema } = dataSource.options as PostgresConnectionOptions;
  if (schema === undefined) throw new Error('the data source has no schema');
  return schema;
}

/**
 * Runs `work` on one connection holding a session advisory lock per schema, so two deploy jobs
 * (or replicas) migrating at once take turns instead of both applying the same migration. The
 * schema is created first because TypeORM keeps its bookkeeping table inside it.
 */
async function underMigrationLock<T>(
  dataSource: DataSource,
  options: MigrationRunOptions,
  work: (executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const schema = schemaOf(dataSource);
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const runner: QueryRunner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SET lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`plafond.migrations.${schema}`]);
    try {
      await runner.query('RESET lock_timeout');
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      return await work(executor);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `plafond.migrations.${schema}`,
      ]);
    }
  } finally {
    await runner.release();
  }
}

/** Applies every pending migration in one transaction; returns the names applied (none = up to date). */
export async function runMigrations(
  dataSource: DataSource,
  options: MigrationRunOptions = {},
): Promise<string[]> {
  const applied = await underMigrationLock(dataSource, options, (executor) =>
    executor.executePendingMigrations(),
  );
  return applied.map((migration: Migration) => migration.name);
}

/** Reverts the most recent migration; returns its name, or undefined when none was applied. */
export async function revertLastMigration(
  dataSource: DataSource,
  options: MigrationRunOptions = {},
): Promise<string | undefined> {
  return underMigrationLock(dataSource, options, async (executor) => {
    const before = await executor.getExecutedMigrations();
    if (before.length === 0) return undefined;
    await executor.undoLastMigration();
    const after = new Set((await executor.getExecutedMigrations()).map((m) => m.name));
    return before.find((migration) => !after.has(migration.name))?.name;
  });
}

export interface MigrationStatus {
  /** False until TypeORM's bookkeeping table exists in the schema (migrate never ran). */
  readonly bookkeeping: boolean;
  /** Migrations this build lists that the database has not recorded. */
  readonly missing: readonly string[];
}

/**
 * Compares the migrations this build lists with those the database recorded; readiness uses it
 * so a service started before `npm run migrate` says why it is not ready. Read-only.
 */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const schema = schemaOf(dataSource);
  const expected = dataSource.migrations.map(
    (migration) => migration.name ?? migration.constructor.name,
  );
  const table = `${quoteIdentifier(schema)}.${MIGRATIONS_TABLE}`;
  const [row] = await dataSource.query<{ exists: boolean }[]>(
    'SELECT to_regclass($1) IS NOT NULL AS "exists"',
    [table],
  );
  if (row?.exists !== true) return { bookkeeping: false, missing: expected };
  const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM ${table}`);
  const recorded = new Set(rows.map((recordedRow) => recordedRow.name));
  return { bookkeeping: true, missing: expected.filter((name) => !recorded.has(name)) };
}
