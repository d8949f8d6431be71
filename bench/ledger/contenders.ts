import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { ledgerMigrationStatements, PostgresEventStore, pgPoolSource } from '@plafond/ledger';
import type { BenchEvent } from './workload';

/** Something that appends a batch to a stream whose current version the caller tracks. */
export interface Appender {
  readonly name: string;
  append(streamId: string, events: readonly BenchEvent[], expectedVersion: bigint): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export const LEDGER_SCHEMA = 'bench_ledger';

async function countRows(pool: Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** The Plafond ledger: expected version checked by the database, hash chain, one statement per append. */
export async function ledgerAppender(
  url: string,
): Promise<Appender & { store: PostgresEventStore; pool: Pool }> {
  const pool = new Pool({ connectionString: url, max: 4 });
  for (const statement of ledgerMigrationStatements(LEDGER_SCHEMA)) await pool.query(statement);
  const store = new PostgresEventStore({ schema: LEDGER_SCHEMA, connection: pgPoolSource(pool) });
  return {
    name: 'ledger',
    store,
    pool,
    async append(streamId, events, expectedVersion) {
      await store.appendToStream(streamId, events, { expectedVersion });
    },
    count: () => countRows(pool, `${LEDGER_SCHEMA}.events`),
    close: () => pool.end(),
  };
}

/** The published peer: emmett's PostgreSQL event store, same database, same events. */
export async function emmettAppender(url: string): Promise<Appender> {
  const store = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  const pool = new Pool({ connectionString: url, max: 1 });
  return {
    name: 'emmett',
    async append(streamId, events, expectedVersion) {
      await store.appendToStream(
        streamId,
        events.map((event) => ({ type: event.type, data: event.data, metadata: event.metadata })),
        { expectedStreamVersion: expectedVersion },
      );
    },
    count: () => countRows(pool, 'emt_messages'),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

/** Baseline 1: the same rows in one multi-row INSERT into an unindexed table, no checks at all. */
export async function rawInsertAppender(url: string): Promise<Appender> {
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query(`CREATE TABLE IF NOT EXISTS raw_events (
    event_id uuid NOT NULL, stream_id text NOT NULL, stream_version bigint NOT NULL, event_type text NOT NULL,
    data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  return {
    name: 'raw',
    async append(streamId, events, expectedVersion) {
      const versions = events.map((_, index) => (expectedVersion + BigInt(index) + 1n).toString());
      await pool.query(
        `INSERT INTO raw_events (event_id, stream_id, stream_version, event_type, data, metadata)
         SELECT gen_random_uuid(), $1, v, t, d::jsonb, m::jsonb
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS r(v, t, d, m)`,
        [
          streamId,
          versions,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata)),
        ],
      );
    },
    count: () => countRows(pool, 'raw_events'),
    close: () => pool.end(),
  };
}
