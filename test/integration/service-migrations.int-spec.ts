import {
  createDataSource,
  migrationStatus,
  revertLastMigration,
  runMigrations,
} from '@plafond/platform';
import { createTestDatabase, TestDatabase } from '@plafond/testing';
import { DataSource } from 'typeorm';
import { allocationMigrations } from '../../apps/allocation/src/migrations';
import { billingMigrations } from '../../apps/billing/src/migrations';
import { ingestionMigrations } from '../../apps/ingestion/src/migrations';

type MigrationsOf = typeof allocationMigrations;

// Each service's migrations, on its default schema and on another one as DATABASE_SCHEMA may name.
const SERVICES: ReadonlyArray<readonly [string, MigrationsOf]> = [
  ['allocation', allocationMigrations],
  ['ingestion', ingestionMigrations],
  ['billing', billingMigrations],
];
const CASES = SERVICES.flatMap(([schema, migrationsOf]) => [
  [schema, migrationsOf] as const,
  [`${schema}_custom`, migrationsOf] as const,
]);

describe('service migrations on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('service-migrations');
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  it.each(CASES)(
    'migrates schema %s up, idempotently, and all the way down',
    async (schema, migrationsOf) => {
      const migrations = migrationsOf(schema);
      const names = migrations.map((migration) => migration.name);
      dataSource = createDataSource({
        url: database.url,
        schema,
        poolMax: 2,
        migrations,
        applicationName: 'test',
      });
      await dataSource.initialize();

      expect(await runMigrations(dataSource)).toEqual(names);
      const schemas = await dataSource.query<unknown[]>(
        'SELECT nspname FROM pg_namespace WHERE nspname = $1',
        [schema],
      );
      expect(schemas).toHaveLength(1);
      const created = await dataSource.query<{ table_name: string }[]>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      expect(created.map((table) => table.table_name)).toEqual(
        expect.arrayContaining([
          'events',
          'streams',
          'snapshots',
          'subscription_checkpoints',
          'inbox',
        ]),
      );
      expect(await migrationStatus(dataSource)).toEqual({ bookkeeping: true, missing: [] });
      expect(await runMigrations(dataSource)).toEqual([]);

      for (const name of [...names].reverse()) {
        expect(await revertLastMigration(dataSource)).toBe(name);
      }
      expect(await revertLastMigration(dataSource)).toBeUndefined();
      const tables = await dataSource.query<{ table_name: string }[]>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      expect(tables.map((table) => table.table_name)).toEqual(['migrations']);
      await dataSource.destroy();
    },
  );
});
