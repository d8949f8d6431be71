import type { GlobalCheckpoint, SqlExecutor } from '../types';
import { START_CHECKPOINT } from '../types';
import { qualifiedName } from './identifiers';
import { SubscriptionError } from './subscription.errors';

/** Events counted per lag query; beyond it the lag is reported as "at least". */
export const MAX_LAG_COUNT = 100_000;

/**
 * Refuses to read when the cluster's next transaction id is not above every stored one.
 *
 * readAll reads in transaction-id order below the snapshot's xmin. After a logical restore
 * (pg_dump / pg_restore into a new cluster) the events keep the old cluster's ids while new
 * transactions get lower ones: new events would sort before checkpoints already passed and be
 * skipped for ever, silently. The snapshot's xmax (the next id to be assigned) is compared rather
 * than `pg_current_xact_id()`, which would give the batch transaction an id and so hold back
 * every reader in the cluster for as long as the batch runs.
 */
export async function assertTransactionIdsAhead(sql: SqlExecutor, schema: string): Promise<void> {
  const rows = await sql.query<{ behind: boolean; next_id: string; max_id: string | null }>(
    `SELECT m.max_id >= pg_snapshot_xmax(pg_current_snapshot()) AS behind,
            pg_snapshot_xmax(pg_current_snapshot())::text AS next_id, m.max_id::text AS max_id
       FROM (SELECT max(transaction_id) AS max_id FROM ${qualifiedName(schema, 'events')}) m`,
  );
  const row = rows[0];
  if (row?.behind !== true) return;
  throw new SubscriptionError(
    'LEDGER.TRANSACTION_IDS_BEHIND',
    `the events in "${schema}" carry transaction ids up to ${row.max_id}, but this cluster's ` +
      `next transaction id is ${row.next_id}. The database was probably restored logically ` +
      `(pg_dump/pg_restore) into another cluster: new events would sort before existing ` +
      `checkpoints and never be delivered. Do not run subscriptions or relays on it; restore ` +
      `physically (base backup + WAL), or first move the new cluster's next transaction id above ` +
      `${row.max_id} (pg_resetwal --epoch/--next-transaction-id on the stopped cluster).`,
  );
}

export interface SubscriptionLag {
  /** The stored checkpoint (START when the subscription never committed a batch). */
  checkpoint: GlobalCheckpoint;
  /** Committed events after the checkpoint, counted up to `MAX_LAG_COUNT`. */
  eventsBehind: number;
  /** True when the count hit `MAX_LAG_COUNT`: the real lag is larger. */
  atLeast: boolean;
  /**
   * Of the counted events, those readAll cannot deliver yet because a transaction that started
   * earlier is still open somewhere in the cluster. Stuck above 0: look for a long or idle-in-
   * transaction session (`pg_stat_activity`, `backend_xid`), not at this subscription.
   */
  eventsHeldBack: number;
}

/**
 * Lag of a subscription at `checkpoint`, from one bounded read. The newest events are the ones
 * counted (descending order), so those held back are always within the count.
 */
export async function measureLag(
  sql: SqlExecutor,
  schema: string,
  checkpoint: GlobalCheckpoint,
): Promise<SubscriptionLag> {
  const rows = await sql.query<{ behind: number; held_back: number }>(
    `SELECT count(*)::int AS behind,
            count(*) FILTER (WHERE t.transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))::int
              AS held_back
       FROM (SELECT e.transaction_id FROM ${qualifiedName(schema, 'events')} e
              WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
              ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT $3) t`,
    [checkpoint.transactionId.toString(), checkpoint.globalPosition.toString(), MAX_LAG_COUNT],
  );
  const behind = rows[0]?.behind ?? 0;
  return {
    checkpoint,
    eventsBehind: behind,
    atLeast: behind >= MAX_LAG_COUNT,
    eventsHeldBack: rows[0]?.held_back ?? 0,
  };
}

/** The newest committed event one snapshot sees, and how far that snapshot can be trusted. */
export interface SnapshotHead {
  /** Highest (transaction id, global position) visible: START when no event is. */
  head: GlobalCheckpoint;
  /** Events visible in the snapshot. */
  events: number;
  /**
   * Visible events at or above the snapshot's xmin: committed while an older transaction is still
   * open, which could yet commit events sorting before them. Only 0 makes `head` a stable bound:
   * then every event at or before it is visible here, and every event not visible sorts after it.
   */
  unsettled: number;
}

/**
 * Reads the head of the ledger in the caller's snapshot (run it in a REPEATABLE READ transaction
 * to pair it with other reads). The ORDER BY names the xid8/bigint columns through `e.`: a bare
 * `transaction_id` would resolve to the text alias of the output column and sort "996" after
 * "1004", picking an old event as the head once the ids cross a power of ten.
 */
export async function readSnapshotHead(sql: SqlExecutor, schema: string): Promise<SnapshotHead> {
  const events = qualifiedName(schema, 'events');
  const heads = await sql.query<{ transaction_id: string; global_position: string }>(
    `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS global_position
       FROM ${events} e ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
  );
  const counts = await sql.query<{ count: string; unsettled: string }>(
    `SELECT count(*)::text AS count,
            count(*) FILTER (WHERE e.transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))::text
              AS unsettled
       FROM ${events} e`,
  );
  const head = heads[0];
  return {
    head:
      head === undefined
        ? START_CHECKPOINT
        : {
            transactionId: BigInt(head.transaction_id),
            globalPosition: BigInt(head.global_position),
          },
    events: Number(counts[0]?.count ?? '0'),
    unsettled: Number(counts[0]?.unsettled ?? '0'),
  };
}
