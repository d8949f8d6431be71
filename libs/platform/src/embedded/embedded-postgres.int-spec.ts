import { PostgresEventStore, pgPoolSource, START_CHECKPOINT } from '@plafond/ledger';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool, PoolClient } from 'pg';
import { allocationMigrations } from '../../../../apps/allocation/src/migrations';
import { billingMigrations } from '../../../../apps/billing/src/migrations';
import { ingestionMigrations } from '../../../../apps/ingestion/src/migrations';
import { PlafondError } from '../errors/plafond-error';
import { createDataSource } from '../database/data-source';
import { runMigrations } from '../database/migrations';
import { EmbeddedErrorCode, LOCK_FILE_NAME } from './data-dir-lock';
import { EmbeddedPostgres } from './embedded-postgres';
import { EmbeddedProcess, startEmbeddedProcess } from './testing/embedded-process';

// PGlite behind the multiplexer, driven by the real `pg` pool, TypeORM and ledger code: what the
// spike found broken with @electric-sql/pglite-socket's own server (docs/embedded-mode.md).
// The server runs in a child process (testing/embedded-child.ts): PGlite cannot start inside
// Jest's module sandbox, and a process can be killed for real.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

describe('EmbeddedPostgres (PGlite + multiplexer)', () => {
  let root: string;
  let dataDir: string;
  let embedded: EmbeddedProcess;
  let pool: Pool;

  const start = (): Promise<EmbeddedProcess> => startEmbeddedProcess(dataDir, 1_000);
  const warnings = (): object[] =>
    embedded.logs.filter((line) => line.level !== 'log').map((line) => line.fields);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'plafond-embedded-'));
    dataDir = join(root, 'data');
    embedded = await start();
    pool = new Pool({ connectionString: embedded.url, max: 10 });
  });

  afterAll(async () => {
    await pool?.end();
    await embedded?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('serves a postgres:// URL with user and database postgres', () => {
    expect(embedded.url).toBe(`postgres://postgres@127.0.0.1:${embedded.port}/postgres`);
    expect(embedded.port).toBeGreaterThan(0);
    expect(embedded.logs[0]?.fields).toMatchObject({ msg: 'embedded postgres ready', dataDir });
  });

  it('runs 200 concurrent read-modify-write transactions over a pool of 10 without a lost update', async () => {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        inTransaction(pool, async (client) => {
          const { rows } = await client.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
          if (i % 3 === 0) await sleep(1);
          await client.query('UPDATE counter SET n = $1 WHERE id = 1', [(rows[0]?.n ?? 0) + 1]);
        }),
      ),
    );
    expect(pool.totalCount).toBe(10);
    const { rows } = await pool.query<{ n: number }>('SELECT n FROM counter');
    expect(rows).toEqual([{ n: 200 }]);
  });

  it('serializes two transactions taking the same advisory transaction lock', async () => {
    const events: string[] = [];
    const first = inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(42)');
      events.push('first locked');
      await sleep(300);
      events.push('first commits');
    });
    await sleep(50);
    const second = inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(42)');
      events.push('second locked');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first locked', 'first commits', 'second locked']);
  });

  it('answers 20 concurrent queries with 1 MiB parameters, each with its own result', async () => {
    const size = 1024 * 1024;
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const payload = String.fromCharCode(97 + i).repeat(size + i);
        const { rows } = await pool.query<{ length: number; first: string; tag: number }>(
          `SELECT length($1::text) AS length, left($1::text, 1) AS first, ${i} AS tag`,
          [payload],
        );
        return rows[0];
      }),
    );
    results.forEach((row, i) =>
      expect(row).toEqual({ length: size + i, first: String.fromCharCode(97 + i), tag: i }),
    );
  });

  it('keeps named prepared statements apart per connection, across reconnects', async () => {
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    try {
      const answers = await Promise.all(
        clients.map(async (client, i) => {
          const query = { name: 'ledger_x', text: 'SELECT $1::int + 1 AS v', values: [i] };
          const once = await client.query<{ v: number }>(query);
          const twice = await client.query<{ v: number }>({ ...query, values: [i * 10] });
          return [once.rows[0]?.v, twice.rows[0]?.v];
        }),
      );
      expect(answers).toEqual([
        [1, 1],
        [2, 11],
        [3, 21],
      ]);
    } finally {
      clients.forEach((client) => client.release(true)); // destroyed: the next ones reconnect
    }
    const single = new Pool({ connectionString: embedded.url, max: 1 });
    try {
      for (let round = 0; round < 3; round++) {
        const client = await single.connect();
        const { rows } = await client.query<{ v: number }>({
          name: 'ledger_x',
          text: 'SELECT $1::int * 2 AS v',
          values: [round],
        });
        expect(rows).toEqual([{ v: round * 2 }]);
        client.release(true);
      }
    } finally {
      await single.end();
    }
    await sleep(100); // cleanup of the closed connections runs after their sockets close
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE '%ledger_x'",
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('rolls back what a client left open when its connection drops, and the others go on', async () => {
    await pool.query('CREATE TABLE dropped (id int PRIMARY KEY)');
    const client = new Client({ connectionString: embedded.url });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO dropped VALUES (1)');
    (
      client as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dropped');
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('logs a connection that owns the database too long (how a cross-connection deadlock shows)', async () => {
    const before = warnings().length;
    await inTransaction(pool, () => sleep(1_500));
    await sleep(50); // the log line travels over IPC
    expect(warnings().slice(before)).toEqual([
      expect.objectContaining({
        msg: expect.stringContaining('owned the database for too long'),
        heldMs: expect.any(Number),
      }),
    ]);
  });

  it('runs the three services’ real migrations and the PostgreSQL event store', async () => {
    const services = [
      ['allocation', allocationMigrations],
      ['ingestion', ingestionMigrations],
      ['billing', billingMigrations],
    ] as const;
    const applied = await Promise.all(
      services.map(async ([schema, migrationsOf]) => {
        const dataSource = createDataSource({
          url: embedded.url,
          schema,
          poolMax: 5,
          migrations: migrationsOf(schema),
          applicationName: `embedded-${schema}`,
        });
        await dataSource.initialize();
        try {
          const names = await runMigrations(dataSource);
          expect(await runMigrations(dataSource)).toEqual([]);
          return names.length;
        } finally {
          await dataSource.destroy();
        }
      }),
    );
    applied.forEach((count) => expect(count).toBeGreaterThan(0));

    const store = new PostgresEventStore({ schema: 'allocation', connection: pgPoolSource(pool) });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.appendToStream(`embedded-${i % 5}`, [{ type: 'Tested', data: { i: String(i) } }]),
      ),
    );
    await store.transaction(async (tx) => {
      await tx.appendToStream('embedded-tx', [
        { type: 'A', data: {} },
        { type: 'B', data: {} },
      ]);
    });
    const { events } = await store.readAll({ after: START_CHECKPOINT, maxCount: 1_000 });
    expect(events).toHaveLength(32);
    expect(new Set(events.map((event) => event.streamId)).size).toBe(6);
    expect(await store.verify()).toEqual({ ok: true, eventsChecked: 32, streamsChecked: 6 });
  });

  it('refuses a second start on the same data directory while the first runs', async () => {
    const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const refused = await EmbeddedPostgres.start({ dataDir, logger: silent }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PlafondError);
    expect(refused).toMatchObject({
      code: EmbeddedErrorCode.dataDirLocked,
      details: { pid: embedded.pid },
    });
    expect((refused as Error).message).toContain(`process ${embedded.pid}`);
    await expect(startEmbeddedProcess(dataDir)).rejects.toMatchObject({
      code: EmbeddedErrorCode.dataDirLocked,
    });
    const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok'); // the first still serves
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('keeps committed data across close (rolling back open transactions) and across kill -9 (taking over the stale lock)', async () => {
    const lockFile = join(dataDir, LOCK_FILE_NAME);
    const lockPid = async (): Promise<number> =>
      (JSON.parse(await readFile(lockFile, 'utf8')) as { pid: number }).pid;
    await pool.query("CREATE TABLE survivor (name text); INSERT INTO survivor VALUES ('closed')");
    await pool.end();
    const straggler = new Client({ connectionString: embedded.url }); // still in a transaction at close()
    straggler.on('error', () => undefined);
    await straggler.connect();
    await straggler.query("BEGIN; INSERT INTO survivor VALUES ('uncommitted')");
    await embedded.close();
    await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });

    embedded = await start();
    pool = new Pool({ connectionString: embedded.url, max: 10 });
    expect(await lockPid()).toBe(embedded.pid);
    await pool.query("INSERT INTO survivor VALUES ('killed')");
    await pool.end();
    const killed = embedded.pid;
    await embedded.kill();
    expect(await lockPid()).toBe(killed);

    embedded = await start();
    pool = new Pool({ connectionString: embedded.url, max: 10 });
    expect(await lockPid()).toBe(embedded.pid);
    expect(warnings()).toEqual([
      expect.objectContaining({ msg: expect.stringContaining('stale lock'), pid: killed }),
    ]);
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM survivor ORDER BY name');
    expect(rows).toEqual([{ name: 'closed' }, { name: 'killed' }]);
    const counter = await pool.query<{ n: number }>('SELECT n FROM counter');
    expect(counter.rows).toEqual([{ n: 200 }]);
  });
});
