import { createHash } from 'node:crypto';
import type { EventStore, GlobalCheckpoint, SqlExecutor } from '../types';
import { CheckpointRepository } from '../subscriptions/checkpoint.repository';
import { qualifiedName, quoteIdentifier } from '../subscriptions/identifiers';
import type { Projection, ProjectionTable } from '../subscriptions/projection';
import { SubscriptionError } from '../subscriptions/subscription.errors';

const FETCH_ROWS = 1_000;
const DEFAULT_MAX_ROWS_PER_TABLE = 50_000_000;

export interface ProjectionDigest {
  /** Hex SHA-256 over the canonical dump of every table, in declared order. */
  digest: string;
  rowCounts: Record<string, number>;
  /** The subscription's checkpoint read under its lock, when a subscription was named. */
  checkpoint?: GlobalCheckpoint;
}

export interface ProjectionDigestOptions {
  store: EventStore;
  /** Schema of the read model to digest (live or rebuilt). */
  schema: string;
  /**
   * When set, the digest is taken while holding this subscription's lock, so no batch commits in
   * between and the returned checkpoint is exactly the state digested.
   */
  subscription?: { schema: string; name: string };
  maxRowsPerTable?: number;
}

async function primaryKeyColumns(sql: SqlExecutor, relation: string): Promise<string[]> {
  const rows = await sql.query<{ column_name: string }>(
    `SELECT a.attname AS column_name
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [relation],
  );
  return rows.map((row) => row.column_name);
}

async function dumpQuery(
  sql: SqlExecutor,
  schema: string,
  table: ProjectionTable,
): Promise<string> {
  if (table.dumpQuery !== undefined) return table.dumpQuery(schema);
  const relation = qualifiedName(schema, table.name);
  const key = await primaryKeyColumns(sql, relation);
  if (key.length === 0) {
    throw new SubscriptionError(
      'LEDGER.REPLAY_DUMP_UNORDERED',
      `${relation} has no primary key; declare a dumpQuery with a total ORDER BY`,
    );
  }
  return `SELECT * FROM ${relation} ORDER BY ${key.map((column) => `"${column.replaceAll('"', '""')}"`).join(', ')}`;
}

/**
 * Each row is rendered by PostgreSQL as jsonb text: keys in jsonb's fixed order, numbers as
 * exact decimal text (no float or bigint rounding on the way through JavaScript), timestamps in
 * UTC because the session time zone is pinned below. Rows are streamed through a cursor so the
 * memory used is bounded whatever the table size.
 */
async function hashTable(
  sql: SqlExecutor,
  hash: ReturnType<typeof createHash>,
  query: string,
  cursor: string,
  maxRows: number,
): Promise<number> {
  await sql.query(
    `DECLARE ${quoteIdentifier(cursor)} NO SCROLL CURSOR FOR SELECT to_jsonb(d)::text AS row FROM (${query}) AS d`,
  );
  let count = 0;
  for (let page = 0; page <= Math.ceil(maxRows / FETCH_ROWS); page++) {
    const rows = await sql.query<{ row: string }>(
      `FETCH ${FETCH_ROWS} FROM ${quoteIdentifier(cursor)}`,
    );
    for (const { row } of rows) hash.update(`${row}\n`);
    count += rows.length;
    if (count > maxRows) {
      throw new SubscriptionError(
        'LEDGER.REPLAY_BOUND_EXCEEDED',
        `more than ${maxRows} rows to digest`,
      );
    }
    if (rows.length < FETCH_ROWS) break;
  }
  await sql.query(`CLOSE ${quoteIdentifier(cursor)}`);
  return count;
}

/** Digest of a projection's tables in `schema`; equal digests mean identical read models. */
export async function projectionDigest(
  projection: Projection,
  options: ProjectionDigestOptions,
): Promise<ProjectionDigest> {
  const maxRows = options.maxRowsPerTable ?? DEFAULT_MAX_ROWS_PER_TABLE;
  return options.store.transaction(async (tx) => {
    const sql = tx.sql;
    let checkpoint: GlobalCheckpoint | undefined;
    if (options.subscription !== undefined) {
      const checkpoints = new CheckpointRepository(options.subscription.schema);
      await sql.query(`SET LOCAL lock_timeout = '60s'`);
      await checkpoints.lock(sql, options.subscription.name);
      checkpoint = await checkpoints.load(sql, options.subscription.name);
    }
    await sql.query(`SET LOCAL TimeZone = 'UTC'`);
    await sql.query(`SET LOCAL IntervalStyle = 'iso_8601'`);
    await sql.query(`SET LOCAL extra_float_digits = 1`);
    const hash = createHash('sha256');
    const rowCounts: Record<string, number> = {};
    for (const [index, table] of projection.tables.entries()) {
      hash.update(`table ${table.name}\n`);
      const query = await dumpQuery(sql, options.schema, table);
      const count = await hashTable(sql, hash, query, `plafond_digest_${index}`, maxRows);
      hash.update(`rows ${count}\n`);
      rowCounts[table.name] = count;
    }
    const digest = hash.digest('hex');
    return checkpoint === undefined ? { digest, rowCounts } : { digest, rowCounts, checkpoint };
  });
}
