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
