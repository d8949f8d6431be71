import {
  createDataSource,
  migrationStatus,
  revertLastMigration,
  runMigrations,
} from '@plafond/platform';
import { createTestDatabase, TestDatabase } from '@plafond/testing';
import { DataSource } from 'typeorm';
import { allocationMigrations } from '.';

describe('allocation migrations on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('allocation-migrations');
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  // The default schema, and another one as DATABASE_SCHEMA may name.
  it.each(['allocation', 'allocation_custom'])(
    'migrates schema %s up, idempotently, and all the way down',
    async (schema) => {
      const migrations = allocationMigrations(schema);
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
