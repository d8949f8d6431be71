import { assertSchemaName } from '../schema/ledger-schema';
import { snapshotStatements } from './snapshot-statements';
import { registerPreparedStatement } from './sql-executor';

/** Columns of an event as every read returns them (bigint and xid8 as text, hashes as hex). */
function eventColumns(alias: string): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `${a}global_position::text AS global_position, ${a}transaction_id::text AS transaction_id,
  ${a}event_id, ${a}stream_id, ${a}stream_version::text AS stream_version, ${a}event_type, ${a}data,
  ${a}metadata, ${a}recorded_at, encode(${a}hash, 'hex') AS hash`;
}

export interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  event_type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date | string;
  hash: string;
}

export interface AppendRow {
  last_position: string | null;
  current_version: string | null;
  current_hash: string | null;
  /**
   * True when the head had the expected version and hash but was last written by a transaction
   * with a larger id than this one (null when the head did not match or does not exist).
   */
  order_conflict: boolean | null;
  existing?: unknown;
}

/** All SQL text of one ledger schema, built once. */
export interface LedgerStatements {
  /**
   * $1 stream, $2 expected head version (-1 = probe only), $3 new version, $4 new hash, $5 head
   * hash, $6 the events as one JSON array of `{ i: id, t: type, d: data, m: metadata, h: hash,
   * p: previous hash }` (one parameter parsed once by PostgreSQL, no array-literal escaping).
   */
  append: string;
  /** As `append`, plus $7: the client-chosen ids to look up first (idempotent replays). */
  appendWithClientIds: string;
  readStream: string;
  readAll: string;
  lockStreamHead: string;
  loadSnapshots: string;
  saveSnapshot: string;
  verifyPage: string;
  verifyStreamPage: string;
  headsWithoutEvents: string;
}

export function ledgerStatements(schema: string): LedgerStatements {
  assertSchemaName(schema);
  const statements = buildStatements(`"${schema}"`);
  // The hot paths are prepared once per connection by the pg executor.
  for (const text of [
    statements.append,
    statements.appendWithClientIds,
    statements.readStream,
    statements.readAll,
  ]) {
    registerPreparedStatement(text);
  }
  return statements;
}

function buildStatements(s: string): LedgerStatements {
  return {
    append: appendStatement(s, false),
    appendWithClientIds: appendStatement(s, true),
    // ORDER BY names e.* on purpose: a bare name would sort by the text alias of the output column.
    readStream: `SELECT ${eventColumns('e')} FROM ${s}.events e
      WHERE e.stream_id = $1 AND e.stream_version >= $2 AND e.stream_version <= $3
      ORDER BY e.stream_version LIMIT $4`,
    // Only transactions older than every running one (below the snapshot's xmin) are read:
    // they are all finished, so no row can later appear before the returned checkpoint.
    readAll: `SELECT ${eventColumns('e')} FROM ${s}.events e
      WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        AND (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
      ORDER BY e.transaction_id, e.global_position LIMIT $3`,
    lockStreamHead: `SELECT version::text AS version, encode(last_hash, 'hex') AS last_hash
      FROM ${s}.streams WHERE stream_id = $1 FOR UPDATE`,
    ...snapshotStatements(s),
    verifyPage: verifyPageStatement(s, ''),
    verifyStreamPage: verifyPageStatement(s, 'AND e.stream_id = $4'),
    headsWithoutEvents: `SELECT h.stream_id, h.version::text AS version, encode(h.last_hash, 'hex') AS last_hash
      FROM ${s}.streams h
      WHERE ($1::text IS NULL OR h.stream_id = $1)
        AND NOT EXISTS (SELECT 1 FROM ${s}.events e WHERE e.stream_id = h.stream_id)
      ORDER BY h.stream_id LIMIT 1`,
  };
}

function appendStatement(s: string, withClientIds: boolean): string {
  const noReplay = withClientIds ? 'AND NOT EXISTS (SELECT 1 FROM existing)' : '';
  const existingCte = withClientIds
    ? `existing AS (
        SELECT event_id, stream_id, stream_version, event_type, data, global_position
        FROM ${s}.events WHERE event_id = ANY($7::text[])
      ),`
    : '';
  const existingColumn = withClientIds
    ? `, (SELECT json_agg(json_build_object('eventId', event_id, 'streamId', stream_id,
          'streamVersion', stream_version::text, 'type', event_type, 'data', data,
          'globalPosition', global_position::text)) FROM existing) AS existing`
    : '';
  // One statement, so one round trip and atomic even in autocommit. The stream head row is
  // created (expected 0) or moved (expected N, matching hash) conditionally; the events are
  // inserted only if that succeeded. A failed condition writes nothing and returns the head as
  // seen, from which the caller either raises the concurrency error or retries.
  // readAll delivers in (transaction_id, position) order and a transaction's id is fixed at its
  // first write, not when it reaches this head: the head therefore refuses a writer whose id is
  // below its last writer's (an equal id is the same transaction appending again), or a stream's
  // later version could be delivered before an earlier one.
  return `WITH ${existingCte}
    head AS (SELECT version, last_hash, last_xid FROM ${s}.streams WHERE stream_id = $1),
    created AS (
      INSERT INTO ${s}.streams (stream_id, version, last_hash, last_recorded_at)
      SELECT $1, $3, decode($4, 'hex'), clock_timestamp() WHERE $2::bigint = 0 ${noReplay}
      ON CONFLICT (stream_id) DO NOTHING
      RETURNING last_recorded_at
    ),
    moved AS (
      UPDATE ${s}.streams h SET version = $3, last_hash = decode($4, 'hex'),
        last_recorded_at = greatest(clock_timestamp(), h.last_recorded_at),
        last_xid = pg_current_xact_id()
      WHERE h.stream_id = $1 AND $2::bigint > 0 AND h.version = $2 AND h.last_hash = decode($5, 'hex')
        AND h.last_xid <= pg_current_xact_id() ${noReplay}
      RETURNING h.last_recorded_at
    ),
    -- Taken once the head row is locked, and never before the stream's previous append: every
    -- event of one append shares it and recorded-at never decreases along a stream.
    moved_head AS (SELECT last_recorded_at FROM created UNION ALL SELECT last_recorded_at FROM moved),
    appended AS (
      INSERT INTO ${s}.events
        (event_id, stream_id, stream_version, event_type, data, metadata, recorded_at, hash, prev_hash)
      SELECT e.doc->>'i', $1, $2::bigint + e.n, e.doc->>'t', e.doc->'d', e.doc->'m',
        m.last_recorded_at, decode(e.doc->>'h', 'hex'), decode(e.doc->>'p', 'hex')
      FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY AS e(doc, n)
        CROSS JOIN moved_head m
      ORDER BY e.n
      RETURNING global_position
    )
    SELECT (SELECT max(global_position)::text FROM appended) AS last_position,
      (SELECT version::text FROM head) AS current_version,
      (SELECT encode(last_hash, 'hex') FROM head) AS current_hash,
      (SELECT h.last_xid > pg_current_xact_id() FROM head h
        WHERE $2::bigint > 0 AND h.version = $2 AND h.last_hash = decode($5, 'hex')) AS order_conflict
      ${existingColumn}`;
}

/** Keyset page over (stream_id, stream_version) with each stream's head row for the head check. */
function verifyPageStatement(s: string, streamFilter: string): string {
  return `SELECT ${eventColumns('e')}, encode(e.prev_hash, 'hex') AS prev_hash,
      h.version::text AS head_version, encode(h.last_hash, 'hex') AS head_hash
    FROM ${s}.events e LEFT JOIN ${s}.streams h ON h.stream_id = e.stream_id
    WHERE (e.stream_id, e.stream_version) > ($1::text, $2::bigint) ${streamFilter}
    ORDER BY e.stream_id, e.stream_version LIMIT $3`;
}
