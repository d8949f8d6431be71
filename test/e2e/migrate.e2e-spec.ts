// `npm run migrate` as operators and the deploy jobs run it: the built script on a fresh database.
import { createTestDatabase, TestDatabase } from '@plafond/testing';
import { Client } from 'pg';
import { allocationMigrations } from '../../apps/allocation/src/migrations';
import { billingMigrations } from '../../apps/billing/src/migrations';
import { ingestionMigrations } from '../../apps/ingestion/src/migrations';
import { baseEnvironment, builtFile, runToCompletion } from './processes';

const expected: Record<string, string[]> = {
  allocation: allocationMigrations('allocation').map((migration) => migration.name),
  ingestion: ingestionMigrations('ingestion').map((migration) => migration.name),
  billing: billingMigrations('billing').map((migration) => migration.name),
};

describe('dist/scripts/migrate.js', () => {
  let database: TestDatabase;
  const script = () => builtFile('dist/scripts/migrate.js');

  beforeAll(async () => {
    database = await createTestDatabase('e2e-migrate');
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function recordedMigrations(): Promise<Record<string, string[]>> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const result: Record<string, string[]> = {};
      for (const schema of Object.keys(expected)) {
        const rows = await client.query<{ name: string }>(
          `SELECT name FROM "${schema}".migrations ORDER BY id`,
        );
        result[schema] = rows.rows.map((row) => row.name);
      }
      return result;
    } finally {
      await client.end();
    }
  }

  it('migrates every service schema, then finds nothing left to do', async () => {
    const env = { ...baseEnvironment(), DATABASE_URL: database.url };
    const first = await runToCompletion(script(), env, 60_000);
    expect(first.stderr).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.jsonLines().map((line) => [line.schema, line.applied])).toEqual(
      Object.entries(expected).map(([schema, names]) => [schema, names]),
    );
    expect(await recordedMigrations()).toEqual(expected);

    const second = await runToCompletion(script(), env, 60_000);
    expect(second.code).toBe(0);
    expect(second.jsonLines().map((line) => line.msg)).toEqual([
      'allocation: up to date',
      'ingestion: up to date',
      'billing: up to date',
    ]);
    expect(await recordedMigrations()).toEqual(expected);
  }, 150_000);

  it('refuses to run without DATABASE_URL, naming it', async () => {
    const result = await runToCompletion(script(), baseEnvironment(), 30_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['migrate: Invalid configuration: DATABASE_URL is required']);
  }, 60_000);
});
