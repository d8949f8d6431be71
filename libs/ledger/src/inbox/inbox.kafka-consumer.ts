import type { Batch, Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';
import { failpoint } from '../core/failpoint';
import type { TransactionalEventStore } from '../types';
import {
  describeError,
  jsonStderrLogger,
  type SubscriptionLogger,
} from '../subscriptions/subscription.logger';
import { SubscriptionError } from '../subscriptions/subscription.errors';
import { cloudEventMessageId } from './cloud-event-id';
import type { Inbox } from './inbox';

export interface InboxKafkaMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

interface InboxKafkaConsumerCommonOptions {
  /** The group id; with `consumer`, the one that consumer was created with. */
  groupId: string;
  topics: readonly string[];
  inbox: Inbox;
  /** Name in the inbox table; defaults to the group id. */
  consumerName?: string;
  fromBeginning?: boolean;
  /** Deduplication key; defaults to the CloudEvent `source#id`. */
  messageId?: (message: KafkaMessage) => string;
  /** The effect, in the inbox transaction; runs at most once per message id. */
  handle(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void>;
  /**
   * Dead-letter handler for a message that has no valid inbox key (not a CloudEvent, or a
   * `source#id` over 500 characters), or whose effect failed permanently (see
   * `isPermanentFailure`): typically publishes it to a rejected topic. Once it resolves, the
   * offset moves past the message; if it throws, the batch fails and is retried.
   * Required, so that one bad record can never block its partition. Not called when `handle`
   * throws anything else: a failing effect is retried, never skipped.
   */
  onInvalidMessage(delivery: InboxKafkaMessage, error: unknown): Promise<void>;
  /**
   * Errors of `handle` that no retry can fix (e.g. a domain refusal of the message's content).
   * The effect and its inbox row roll back, and the message goes to `onInvalidMessage` instead
   * of being retried for ever. Default: none (every failure is retried).
   */
  isPermanentFailure?: (error: unknown) => boolean;
  /**
   * Called once the transaction that applied a message's effect has committed (never for a
   * redelivery the inbox skipped, never for an attempt that rolled back): the place for
   * in-memory counts, which `handle` cannot keep exactly (its transaction may still roll back).
   */
  onApplied?: (delivery: InboxKafkaMessage) => void;
  /**
   * Messages of a fetched batch applied in one inbox transaction (default 100; 1 = one
   * transaction per message). If that transaction fails, its messages are applied one by one,
   * so a poison message is still dead-lettered alone and a retryable failure still retries.
   */
  maxMessagesPerTransaction?: number;
  logger?: SubscriptionLogger;
}

/** One commit for up to this many messages; bounds how long a transaction holds its locks. */
export const DEFAULT_MESSAGES_PER_TRANSACTION = 100;

/**
 * Transactions a chunk may take before its messages are applied one by one. A chunk takes its
 * transaction id at its start (the inbox rows), so where a message of it writes a stream that
 * others write steadily (a hot allocation account), a later transaction has usually appended
 * there first and the ledger refuses the chunk's append (RETRYABLE_TRANSACTION_ORDER); run whole
 * again, it loses the same race (measured: ten attempts of 60 usages, 10 s, all refused, with
 * reservations on one of their accounts). One retry still covers a one-off race or deadlock.
 */
const CHUNK_ATTEMPTS = 2;

/**
 * Either a `kafka` client (the consumer is created here) or a `consumer` created by the caller,
 * e.g. through the platform's `KafkaClients` so that shutdown finds and disconnects it.
 */
export type InboxKafkaConsumerOptions = InboxKafkaConsumerCommonOptions &
  (
    | { kafka: Kafka; consumer?: never; consumerConfig?: Omit<ConsumerConfig, 'groupId'> }
    | { consumer: Consumer; kafka?: never; consumerConfig?: never }
  );

export interface InboxKafkaConsumer {
  readonly consumer: Consumer;
  start(): Promise<void>;
  /** Waits for the in-flight batch, commits what it processed, leaves the group. */
  stop(): Promise<void>;
}

/**
 * A kafkajs consumer whose offsets are committed only after the inbox transaction of each
 * message committed. A crash between the two redelivers messages whose effect is already
 * recorded, and the inbox turns them into no-ops.
 *
 * A fetched batch is applied in chunks of `maxMessagesPerTransaction` messages, each chunk in
 * one inbox transaction (one commit instead of one per message: at a few milliseconds per
 * commit, the commit was most of a small message's cost). A chunk whose transaction fails is
 * applied again message by message, each in its own transaction, with the per-message rules
 * (dead letter for an invalid key or a permanent failure, retry for anything else).
 */
export function createInboxKafkaConsumer(options: InboxKafkaConsumerOptions): InboxKafkaConsumer {
  const consumer = consumerOf(options);
  const consumerName = options.consumerName ?? options.groupId;
  const messageIdOf = options.messageId ?? cloudEventMessageId;
  const logger = options.logger ?? jsonStderrLogger;
  const perTransaction = Math.max(
    1,
    Math.floor(options.maxMessagesPerTransaction ?? DEFAULT_MESSAGES_PER_TRANSACTION),
  );

  /**
   * Applies the deliveries in one inbox transaction and returns those whose effect ran (the
   * others were redeliveries); null when it could not: a message without a valid inbox key, or
   * a transaction that failed (rolled back: nothing of it was applied). The caller then takes
   * the messages one by one, which finds out which message it was and what to do with it.
   */
  const consumeTogether = async (
    deliveries: readonly InboxKafkaMessage[],
  ): Promise<InboxKafkaMessage[] | null> => {
    let entries;
    try {
      entries = deliveries.map((delivery) => ({
        messageId: messageIdOf(delivery.message),
        effect: (tx: TransactionalEventStore) => options.handle(delivery, tx),
      }));
    } catch {
      return null;
    }
    try {
      const results = await options.inbox.consumeEachOnce(consumerName, entries, {
        maxAttempts: CHUNK_ATTEMPTS,
      });
      return deliveries.filter((_, index) => results[index]?.applied === true);
    } catch (error) {
      logger.log('info', 'inbox consumer applies a chunk message by message after it failed', {
        consumer: consumerName,
        topic: deliveries[0]?.topic,
        partition: deliveries[0]?.partition,
        fromOffset: deliveries[0]?.message.offset,
        messages: deliveries.length,
        error: describeError(error),
      });
      return null;
    }
  };

  /** Applies one message; returns the error if it has no valid inbox key or failed permanently. */
  const consumeMessage = async (delivery: InboxKafkaMessage): Promise<unknown> => {
    let messageId: string;
    try {
      messageId = messageIdOf(delivery.message);
    } catch (error) {
      return error;
    }
    let effectStarted = false;
    try {
      const result = await options.inbox.consumeOnce(consumerName, messageId, (tx) => {
        effectStarted = true;
        return options.handle(delivery, tx);
      });
      if (result.applied) options.onApplied?.(delivery);
    } catch (error) {
      if (!effectStarted && isInvalidKey(error)) return error;
      if (effectStarted && options.isPermanentFailure?.(error) === true) return error;
      throw error;
    }
    return undefined;
  };

  const processBatch = async (
    batch: Batch,
    resolveOffset: (offset: string) => void,
    heartbeat: () => Promise<void>,
    keepGoing: () => boolean,
  ): Promise<void> => {
    let lastDone: string | undefined;
    const done = async (offset: string) => {
      resolveOffset(offset);
      lastDone = offset;
      await heartbeat();
    };
    try {
      for (let start = 0; start < batch.messages.length; start += perTransaction) {
        if (!keepGoing()) break;
        const deliveries = batch.messages
          .slice(start, start + perTransaction)
          .map((message) => ({ topic: batch.topic, partition: batch.partition, message }));
        const applied = deliveries.length > 1 ? await consumeTogether(deliveries) : null;
        if (applied !== null) {
          for (const delivery of applied) options.onApplied?.(delivery);
          // The chunk's transaction committed, the offsets not: a restart redelivers the chunk.
          // One hit per message, so `inbox.after-commit@N` counts messages as it always did.
          deliveries.forEach(() => failpoint('inbox.after-commit'));
          const last = deliveries[deliveries.length - 1];
          if (last !== undefined) await done(last.message.offset);
          continue;
        }
        for (const delivery of deliveries) {
          if (!keepGoing()) break;
          const { message } = delivery;
          const invalid = await consumeMessage(delivery);
          // The inbox transaction committed, the offset not: the restart redelivers this message.
          if (invalid === undefined) failpoint('inbox.after-commit');
          if (invalid !== undefined) {
            logger.log('warn', 'inbox consumer dead-lettered an invalid message', {
              consumer: consumerName,
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              error: describeError(invalid),
            });
            await options.onInvalidMessage(delivery, invalid);
          }
          await done(message.offset);
        }
      }
    } finally {
      // Commit what is durably applied even when a later message fails, so a retry starts there.
      if (lastDone !== undefined) {
        const next = (BigInt(lastDone) + 1n).toString();
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: next },
        ]);
      }
    }
  };

  return {
    consumer,
    async start() {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...options.topics],
        fromBeginning: options.fromBeginning ?? false,
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          try {
            await processBatch(
              batch,
              (offset) => payload.resolveOffset(offset),
              () => payload.heartbeat(),
              () => payload.isRunning() && !payload.isStale(),
            );
          } catch (error) {
            logger.log('warn', 'inbox consumer batch failed; kafkajs will retry', {
              consumer: consumerName,
              topic: batch.topic,
              partition: batch.partition,
              error: describeError(error),
            });
            throw error;
          }
        },
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}

function consumerOf(options: InboxKafkaConsumerOptions): Consumer {
  if (options.consumer !== undefined) return options.consumer;
  if (options.kafka === undefined) {
    throw new SubscriptionError('CONFIG.INVALID', 'give the inbox consumer a kafka or a consumer');
  }
  return options.kafka.consumer({ ...options.consumerConfig, groupId: options.groupId });
}

function isInvalidKey(error: unknown): boolean {
  return error instanceof SubscriptionError && error.code === 'LEDGER.INBOX_INVALID_KEY';
}
