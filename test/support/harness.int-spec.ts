import { createServer } from 'node:net';

import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import {
  createTestDatabase,
  currentRunId,
  freePort,
  kafkaBrokers,
  serverDatabaseUrl,
  uniqueTopicPrefix,
} from './index';
import { deleteTestTopics } from './kafka-topics';
import { newRunId } from './run-id';
import { dropTestDatabases, withClient } from './test-database';

const DAY_MS = 24 * 60 * 60 * 1_000;

async function databaseExists(name: string): Promise<boolean> {
  return withClient(serverDatabaseUrl(), async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  });
}

async function createRawDatabase(name: string): Promise<void> {
  await withClient(serverDatabaseUrl(), (client) => client.query(`CREATE DATABASE "${name}"`));
}

describe('the test harness on real infrastructure', () => {
  it('global setup published the infrastructure and the run id', () => {
    expect(process.env.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(process.env.KAFKA_BROKERS).toBeTruthy();
    expect(process.env.PLAFOND_TEST_RUN_ID).toBe(currentRunId());
  });

  it('creates a fresh database named after the run, and drops it even with a connection open', async () => {
    const database = await createTestDatabase('harness');
    expect(database.name).toContain(currentRunId());
    expect(database.name).toContain('harness');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    client.on('error', () => undefined); // the drop below terminates this session on purpose
    await client.query('CREATE TABLE probe (id int)');
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(database.name);

    await database.drop();
    await database.drop();

    expect(await databaseExists(database.name)).toBe(false);
    await client.end().catch(() => undefined);
  });

  it("drops its own run's databases and a crashed run's, not another live run's", async () => {
    const thisRun = newRunId();
    const liveRun = newRunId();
    const crashedRun = newRunId(Date.now() - 2 * DAY_MS);
    const names = [
      `plafond_t_${thisRun}_mine`,
      `plafond_t_${liveRun}_theirs`,
      `plafond_t_${crashedRun}_old`,
    ];
    for (const name of names) await createRawDatabase(name);

    const dropped = await dropTestDatabases(serverDatabaseUrl(), thisRun);

    expect(dropped).toEqual(expect.arrayContaining([names[0], names[2]]));
    expect(dropped).not.toContain(names[1]);
    expect(await databaseExists(names[1] as string)).toBe(true);
    await withClient(serverDatabaseUrl(), (client) => client.query(`DROP DATABASE "${names[1]}"`));
  });

  it("deletes its own run's topics and a crashed run's, not another live run's", async () => {
    const thisRun = newRunId();
    const liveRun = newRunId();
    const crashedRun = newRunId(Date.now() - 2 * DAY_MS);
    const topics = [`t-${thisRun}-mine.x`, `t-${liveRun}-theirs.x`, `t-${crashedRun}-old.x`];
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
        waitForLeaders: true,
      });

      const deleted = await deleteTestTopics(kafkaBrokers(), thisRun);

      expect(deleted).toEqual(expect.arrayContaining([topics[0], topics[2]]));
      expect(deleted).not.toContain(topics[1]);
      expect(await admin.listTopics()).toContain(topics[1]);
    } finally {
      await admin.deleteTopics({ topics: [topics[1] as string] });
      await admin.disconnect();
    }
  });

  it('hands out topic prefixes unique to this run', () => {
    const prefix = uniqueTopicPrefix('harness');
    expect(prefix.startsWith(`t-${currentRunId()}-harness-`)).toBe(true);
    expect(uniqueTopicPrefix('harness')).not.toBe(prefix);
  });

  it('finds a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(port).toBeGreaterThan(0);
  });
});
