import { runUnitOfWork } from '../core/unit-of-work';
import type { EventStore, TransactionalEventStore } from '../types';
import { qualifiedName } from '../subscriptions/identifiers';
import { INBOX_TABLE } from '../subscriptions/subscription.schema';
import { SubscriptionError } from '../subscriptions/subscription.errors';

export type InboxResult<T> = { applied: true; result: T } | { applied: false };

const MAX_CONSUMER_LENGTH = 200;
const MAX_MESSAGE_ID_LENGTH = 500;
/** Transactions per message when a retryable concurrency error (e.g. transaction order) ends one. */
const MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 100;

function assertKey(consumer: string, messageId: string): void {
  if (consumer.length === 0 || consumer.length > MAX_CONSUMER_LENGTH) {
    throw new SubscriptionError(
      'LEDGER.INBOX_INVALID_KEY',
      `consumer must be 1..${MAX_CONSUMER_LENGTH} characters`,
    );
  }
  if (messageId.length === 0 || messageId.length > MAX_MESSAGE_ID_LENGTH) {
    throw new SubscriptionError(
      'LEDGER.INBOX_INVALID_KEY',
      `message id must be 1..${MAX_MESSAGE_ID_LENGTH} characters`,
    );
  }
}

/**
 * Records (consumer, messageId) and runs `effect` in the caller's open transaction, only if the
 * pair was new. A concurrent delivery of the same message waits on the unique key and then sees
 * the conflict, so two deliveries can never both apply; if the transaction rolls back, the
 * inbox row goes with it and a redelivery applies the effect.
 */
export async function consumeOnceWithin<T>(
  tx: TransactionalEventStore,
  schema: string,
  consumer: string,
  messageId: string,
  effect: (tx: TransactionalEventStore) => Promise<T>,
): Promise<InboxResult<T>> {
  assertKey(consumer, messageId);
  const inserted = await tx.sql.query(
    `INSERT INTO ${qualifiedName(schema, INBOX_TABLE)} (consumer, message_id) VALUES ($1, $2)
     ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id`,
    [consumer, messageId],
  );
  if (inserted.length === 0) return { applied: false };
  return { applied: true, result: await effect(tx) };
}

/** One message of `Inbox.consumeEachOnce`: its key and its effect. */
export interface InboxEntry<T> {
  readonly messageId: string;
  readonly effect: (tx: TransactionalEventStore) => Promise<T>;
}

export interface InboxOptions {
  store: EventStore;
  /** Ledger schema holding the `inbox` table. */
  schema: string;
}

/** Deduplicates incoming messages: at-least-once delivery, exactly-once effect. */
export class Inbox {
  constructor(private readonly options: InboxOptions) {
    qualifiedName(options.schema, INBOX_TABLE);
  }

  async consumeOnce<T>(
    consumer: string,
    messageId: string,
    effect: (tx: TransactionalEventStore) => Promise<T>,
  ): Promise<InboxResult<T>> {
    assertKey(consumer, messageId);
    // The inbox row is written first, so the transaction has an id before the effect waits on
    // any lock: a writer that got the lock later can append first, and the ledger then refuses
    // this append (RETRYABLE_TRANSACTION_ORDER). The effect and its row roll back together, so
    // the whole transaction is simply run again.
    return await runUnitOfWork(
      this.options.store,
      (tx) => consumeOnceWithin(tx, this.options.schema, consumer, messageId, effect),
      { maxAttempts: MAX_ATTEMPTS, maxDelayMs: MAX_BACKOFF_MS },
    );
  }

  /**
   * Several messages in ONE transaction (a consumer's batch): their inbox rows are inserted by
   * one statement, then each new message's effect runs, in order; a message id repeated in
   * `entries` applies once (its first occurrence). All or nothing: if any effect throws, every
   * effect and inbox row of the call rolls back and the error is thrown, so the caller can fall
   * back to `consumeOnce` per message (isolating a poison message). One commit instead of one per
   * message is what makes it worth it. Results are in `entries` order. `maxAttempts` bounds the
   * transactions a retryable failure (a lost race, a deadlock) may take (default as consumeOnce).
   */
  async consumeEachOnce<T>(
    consumer: string,
    entries: readonly InboxEntry<T>[],
    options: { maxAttempts?: number } = {},
  ): Promise<InboxResult<T>[]> {
    for (const entry of entries) assertKey(consumer, entry.messageId);
    if (entries.length === 0) return [];
    return await runUnitOfWork(
      this.options.store,
      async (tx) => {
        // Inbox rows first, as in consumeOnce: the transaction has its id before any effect waits.
        const inserted = await tx.sql.query<{ message_id: string }>(
          `INSERT INTO ${qualifiedName(this.options.schema, INBOX_TABLE)} (consumer, message_id)
           SELECT $1, message_id FROM unnest($2::text[]) AS message_id
           ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id`,
          [consumer, entries.map((entry) => entry.messageId)],
        );
        const fresh = new Set(inserted.map((row) => row.message_id));
        const results: InboxResult<T>[] = [];
        for (const entry of entries) {
          // Deleting marks the first occurrence as taken: a repeat later in the call is a no-op.
          if (!fresh.delete(entry.messageId)) {
            results.push({ applied: false });
            continue;
          }
          results.push({ applied: true, result: await entry.effect(tx) });
        }
        return results;
      },
      { maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS, maxDelayMs: MAX_BACKOFF_MS },
    );
  }

  /** Whether a message was already consumed (diagnostics; effects must use `consumeOnce`). */
  async wasConsumed(consumer: string, messageId: string): Promise<boolean> {
    return this.options.store.transaction(async (tx) => {
      const rows = await tx.sql.query(
        `SELECT 1 FROM ${qualifiedName(this.options.schema, INBOX_TABLE)} WHERE consumer = $1 AND message_id = $2`,
        [consumer, messageId],
      );
      return rows.length === 1;
    });
  }
}
