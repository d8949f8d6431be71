// The replay check of `billing-books`: digest the live tables and read the ledger head in ONE
// snapshot (the projection is applied inline, so the live tables are exactly the events committed
// in that snapshot), rebuild from position 0 into a temporary schema up to that head, compare.
// A difference means a live row was altered, or `apply` is not deterministic.
import { randomBytes } from 'node:crypto';
import {
  PostgresEventStore,
  SubscriptionError,
  projectionDigest,
  readSnapshotHead,
  rebuildProjection,
  type EventStore,
  type SnapshotHead,
  type TransactionalEventStore,
} from '@plafond/ledger';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { BOOKS_PROJECTION } from './books.projection';
import type { BillingReadSettings } from './read.settings';
import type { ReplayVerification } from './report.views';

/** Waits between attempts while an older transaction holds the ledger head back (~13 s in all). */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1_600, 3_200, 6_400] as const;

/** The store as seen by one open transaction: `transaction(work)` runs work in that transaction. */
function withinTransaction(tx: TransactionalEventStore): EventStore {
  return {
    appendToStream: tx.appendToStream.bind(tx),
    readStream: tx.readStream.bind(tx),
    aggregateStream: tx.aggregateStream.bind(tx),
    readAll: tx.readAll.bind(tx),
    verify: tx.verify.bind(tx),
    transaction: (work) => work(tx),
  };
}

interface LiveState extends SnapshotHead {
  digest: string;
  rowCounts: Record<string, number>;
}

async function liveState(store: PostgresEventStore, schema: string): Promise<LiveState> {
  return store.transaction(async (tx) => {
    await tx.sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // Head in commit order (transaction id, then position, compared as numbers): the rebuild
    // replays in that order up to it. A text comparison once picked an old event as the head.
    const head = await readSnapshotHead(tx.sql, store.schema);
    const digest = await projectionDigest(BOOKS_PROJECTION, {
      store: withinTransaction(tx),
      schema,
    });
    return { ...head, digest: digest.digest, rowCounts: digest.rowCounts };
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** BILLING.REPLAY_NOT_SETTLED (503): no settled snapshot within the retries. */
export function replayNotSettled(message: string): BillingError {
  return new BillingError(BILLING_ERROR.REPLAY_NOT_SETTLED, message);
}

/**
 * Compares the live books with a rebuild. The live snapshot is taken again (with backoff) while
 * some of its events were committed after a transaction that is still open: that transaction
 * could commit events sorting before the head, which the rebuild would replay but the live tables
 * would not hold. Once settled, the rebuild replays exactly the live snapshot's events.
 */
export async function verifyBooksReplay(
  store: PostgresEventStore,
  settings: BillingReadSettings,
): Promise<ReplayVerification> {
  const prefix = (settings.replaySchemaPrefix ?? `${settings.readModelSchema}_replay`).slice(0, 40);
  for (let attempt = 0; ; attempt += 1) {
    const delay = RETRY_DELAYS_MS[attempt];
    const live = await liveState(store, settings.readModelSchema);
    if (live.unsettled > 0) {
      if (delay === undefined)
        throw replayNotSettled(
          `${live.unsettled} ledger events are behind a transaction still open in the cluster; ` +
            'retry the replay check once it ends (see pg_stat_activity for long transactions)',
        );
      await sleep(delay);
      continue;
    }
    let rebuilt;
    try {
      rebuilt = await rebuildProjection(BOOKS_PROJECTION, {
        store,
        intoSchema: `${prefix}_${randomBytes(8).toString('hex')}`,
        until: live.head,
        dropAfterDigest: true,
      });
    } catch (error) {
      // The rebuild could not reach the head yet (a transaction opened in between).
      if (!(error instanceof SubscriptionError) || delay === undefined) throw error;
      await sleep(delay);
      continue;
    }
    if (rebuilt.eventsApplied !== live.events && delay !== undefined) {
      await sleep(delay);
      continue;
    }
    return {
      projection: BOOKS_PROJECTION.name,
      eventsApplied: rebuilt.eventsApplied,
      checkpoint: {
        transactionId: live.head.transactionId.toString(),
        globalPosition: live.head.globalPosition.toString(),
      },
      live: { digest: live.digest, rowCounts: live.rowCounts },
      rebuilt: { digest: rebuilt.digest.digest, rowCounts: rebuilt.digest.rowCounts },
      match: rebuilt.digest.digest === live.digest && rebuilt.eventsApplied === live.events,
    };
  }
}
