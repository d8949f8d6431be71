import { createTestDatabase, TestDatabase } from '@plafond/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, MigrationClass, migrationSchema, quoteIdentifier } from './data-source';
import { migrationStatus, revertLastMigration, runMigrations } from './migrations';

// Two real migrations in the style apps use: the schema comes from the data source.
class CreateWidgets1700000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = quoteIdentifier(migrationSchema(queryRunner));
    await queryRunner.query(`CREATE TABLE ${schema}.widgets (id text PRIMARY KEY)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${quoteIdentifier(migrationSchema(queryRunner))}.widgets`);
  }
}

class AddWidgetSize1700000000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = quoteIdentifier(migrationSchema(queryRunner));
    await queryRunner.query(
      `ALTER TABLE ${schema}.widgets ADD COLUMN size_micro bigint NOT NULL DEFAULT 0`,
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = quoteIdentifier(migrationSchema(queryRunner));
    await queryRunner.query(`ALTER TABLE ${schema}.widgets DROP COLUMN size_micro`);
  }
}

class Broken1700000000003 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = quoteIdentifier(migrationSchema(queryRunner));
    await queryRunner.query(`CREATE TABLE ${schema}.half_done (id int)`);
    await queryRunner.query('SELECT * FROM no_such_table');
  }
  async down(): Promise<void> {}
}

const migrations: MigrationClass[] = [CreateWidgets1700000000001, AddWidgetSize1700000000002];

describe('runMigrations on PostgreSQL', () => {
  let database: TestDatabase;
  const open: DataSource[] = [];

  async function dataSource(schema: string, list: readonly MigrationClass[] = migrations) {
    const source = createDataSource({
      url: database.url,
      schema,
      poolMax: 2,
      migrations: list,
      applicationName: 'test',
    });
    open.push(source);
    return source.initialize();
  }

  async function columns(source: DataSource, schema: string): Promise<string[]> {
    const rows = await source.query<{ name: string }[]>(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = $1 ORDER BY 1`,
      [schema],
    );
    return rows.map((row) => row.name);
  }

  beforeAll(async () => {
    database = await createTestDatabase('platform-migrations');
  });

  afterAll(async () => {
    await Promise.all(
      open.filter((source) => source.isInitialized).map((source) => source.destroy()),
    );
    await database.drop();
  });

  it('creates the schema and its tables, records them, and a second run is a no-op', async () => {
    const source = await dataSource('widgets_a');
    expect(await migrationStatus(source)).toEqual({
      bookkeeping: false,
      missing: ['CreateWidgets1700000000001', 'AddWidgetSize1700000000002'],
    });
    expect(await runMigrations(source)).toEqual([
      'CreateWidgets1700000000001',
      'AddWidgetSize1700000000002',
    ]);
    expect(await columns(source, 'widgets_a')).toEqual([
      'migrations.id',
      'migrations.name',
      'migrations.timestamp',
      'widgets.id',
      'widgets.size_micro',
    ]);
    expect(await migrationStatus(source)).toEqual({ bookkeeping: true, missing: [] });
    expect(await runMigrations(source)).toEqual([]);
  });

  it('reverts one migration at a time, and readiness sees what is missing', async () => {
    const source = await dataSource('widgets_b');
    await runMigrations(source);
    expect(await revertLastMigration(source)).toBe('AddWidgetSize1700000000002');
    expect(await columns(source, 'widgets_b')).toContain('widgets.id');
    expect(await columns(source, 'widgets_b')).not.toContain('widgets.size_micro');
    expect(await migrationStatus(source)).toEqual({
      bookkeeping: true,
      missing: ['AddWidgetSize1700000000002'],
    });
    expect(await revertLastMigration(source)).toBe('CreateWidgets1700000000001');
    expect(await revertLastMigration(source)).toBeUndefined();
    expect(await columns(source, 'widgets_b')).toEqual([
      'migrations.id',
      'migrations.name',
      'migrations.timestamp',
    ]);
    expect(await runMigrations(source)).toHaveLength(2);
  });

  it('keeps schemas apart: the same migrations in two schemas of one database', async () => {
    const [first, second] = await Promise.all([dataSource('widgets_c'), dataSource('widgets_d')]);
    await runMigrations(first);
    expect(await migrationStatus(second)).toMatchObject({ bookkeeping: false });
    await runMigrations(second);
    expect(await columns(second, 'widgets_d')).toContain('widgets.size_micro');
  });

  it('lets concurrent runs take turns, applying each migration once', async () => {
    const sources = await Promise.all([
      dataSource('widgets_e'),
      dataSource('widgets_e'),
      dataSource('widgets_e'),
    ]);
    const results = await Promise.all(sources.map((source) => runMigrations(source)));
    expect(results.flat().sort()).toEqual([
      'AddWidgetSize1700000000002',
      'CreateWidgets1700000000001',
    ]);
  });

  it('rolls a failing run back entirely', async () => {
    const source = await dataSource('widgets_f', [...migrations, Broken1700000000003]);
    await expect(runMigrations(source)).rejects.toThrow('no_such_table');
    expect(await columns(source, 'widgets_f')).toEqual([
      'migrations.id',
      'migrations.name',
      'migrations.timestamp',
    ]);
    expect((await migrationStatus(source)).missing).toHaveLength(3);
  });
});
