import { Client } from 'pg';

import {
  DATABASE_PREFIX,
  currentRunId,
  databaseName,
  databaseRunPrefix,
  runStartedAtMs,
} from './run-id';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
/** Leftovers of crashed runs older than this are dropped by the next run's teardown. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1_000;
const MAX_DROPS_PER_CLEANUP = 200;

export interface TestDatabase {
  /** Connection URL of the fresh database, same credentials as DATABASE_URL. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, terminating any connection still open on it. Safe to call twice. */
  drop(): Promise<void>;
}

/** The server URL global setup found (a superuser on some maintenance database). */
export function serverDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const SESSION_DRAIN_POLLS = 40;
const SESSION_DRAIN_INTERVAL_MS = 50;

/**
 * A pool's `end()` resolves before the server has seen its sockets close. Dropping at once would
 * terminate those sessions mid-goodbye, and their clients, no longer listened to by the pool,
 * raise an unhandled error in whichever test runs next. So wait (bounded) for them to go first.
 */
async function waitForSessionsToClose(client: Client, name: string): Promise<void> {
  for (let poll = 0; poll < SESSION_DRAIN_POLLS; poll += 1) {
    const { rows } = await client.query<{ sessions: string }>(
      'SELECT count(*) AS sessions FROM pg_stat_activity WHERE datname = $1',
      [name],
    );
    if (rows[0]?.sessions === '0') return;
    await new Promise((resolve) => setTimeout(resolve, SESSION_DRAIN_INTERVAL_MS));
  }
}

async function dropDatabase(client: Client, name: string): Promise<void> {
  await waitForSessionsToClose(client, name);
  // FORCE (PostgreSQL 13+) terminates the sessions a test forgot to close instead of failing.
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
}

/** A fresh, empty database for one test file or suite; its name carries the run id and label. */
export async function createTestDatabase(
  label: string,
  /** Another PostgreSQL server than the run's (the fault suite's restartable one). */
  serverUrl: string = serverDatabaseUrl(),
): Promise<TestDatabase> {
  const name = databaseName(currentRunId(), label);
  // template0: nobody connects to it, so concurrent creates cannot fail on a busy template1.
  await withClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE template0`),
  );
  let dropped = false;
  return {
    url: withDatabaseName(serverUrl, name),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withClient(serverUrl, (client) => dropDatabase(client, name));
    },
  };
}

/**
 * Drops every database of `runId`, and those of runs that started over a day ago (a crashed run
 * never reached its teardown). Databases of other recent runs are left alone: they may be running.
 */
export async function dropTestDatabases(
  serverUrl: string,
  runId: string,
  nowMs: number = Date.now(),
): Promise<string[]> {
  return withClient(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname LIMIT $2',
      [DATABASE_PREFIX, MAX_DROPS_PER_CLEANUP * 5],
    );
    const ownPrefix = databaseRunPrefix(runId);
    const doomed = rows
      .map((row) => row.datname)
      .filter((name) => {
        if (name.startsWith(ownPrefix)) return true;
        const startedAtMs = runStartedAtMs(
          name.slice(DATABASE_PREFIX.length, DATABASE_PREFIX.length + 12),
        );
        return startedAtMs !== undefined && nowMs - startedAtMs > STALE_AFTER_MS;
      })
      .slice(0, MAX_DROPS_PER_CLEANUP);
    for (const name of doomed) await dropDatabase(client, name);
    return doomed;
  });
}
