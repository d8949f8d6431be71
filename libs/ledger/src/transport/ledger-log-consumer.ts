import type { KafkaContentMode } from '@plafond/contracts';
import type { KafkaMessage } from 'kafkajs';
import { cloudEventMessageId } from '../inbox/cloud-event-id';
import { Inbox } from '../inbox/inbox';
import type { InboxKafkaMessage } from '../inbox/inbox.kafka-consumer';
import type { RelayRouter } from '../relay/ledger-cloud-event';
import { BatchLoop } from '../subscriptions/batch-loop';
import { assertBatchInvariants, checkpointOf } from '../subscriptions/checkpoint';
import { CheckpointRepository } from '../subscriptions/checkpoint.repository';
import { qualifiedName } from '../subscriptions/identifiers';
import {
  assertTransactionIdsAhead,
  measureLag,
  type SubscriptionLag,
} from '../subscriptions/ledger-head';
import type { SubscriptionStatus } from '../subscriptions/subscription';
import { SubscriptionError } from '../subscriptions/subscription.errors';
import {
  describeError,
  jsonStderrLogger,
  type SubscriptionLogger,
} from '../subscriptions/subscription.logger';
import {
  assertSubscriptionName,
  resolveSubscriptionSettings,
  type SubscriptionSettings,
  type SubscriptionTuning,
} from '../subscriptions/subscription.settings';
import type {
  EventStore,
  GlobalCheckpoint,
  RecordedEvent,
  TransactionalEventStore,
} from '../types';
import { ledgerLogDelivery } from './ledger-log-message';

/** Idle poll of the log when nothing woke the consumer: short, the log is a local table. */
export const DEFAULT_LEDGER_LOG_IDLE_POLL_MS = 100;

/** The producing service, as its relay sees it: same router, source and mode as its KafkaRelay. */
export interface LedgerLogProducer {
  /** The producer's ledger (its schema, in the consumer's database). */
  store: EventStore;
  /** The producer's ledger schema, e.g. `allocation`. */
  schema: string;
  /** CloudEvents `source` the producer's relay publishes under, e.g. `/plafond/allocation`. */
  source: string;
  /** The producer's relay router (the function its KafkaRelay is given). */
  route: RelayRouter;
  /** The relay's content mode. Default `binary` (the KafkaRelay's default). */
  mode?: KafkaContentMode;
}

export interface LedgerLogConsumerOptions extends SubscriptionTuning {
  /** The consuming service's store: the inbox transaction of each event runs on it. */
  store: EventStore;
  /** The consuming service's ledger schema: holds the checkpoint and (by default) the inbox. */
  schema: string;
  producer: LedgerLogProducer;
  /** Events the producer routes to one of these topics are delivered; all others are skipped. */
  topics: readonly string[];
  /** As for the Kafka consumer: the inbox consumer name defaults to it. */
  groupId: string;
  /** Name in the inbox table; defaults to the group id. */
  consumerName?: string;
  /** Checkpoint name; default `ledger-log:<producer schema>:<consumer name>`. */
  name?: string;
  /** Default `new Inbox({ store, schema })`. */
  inbox?: Inbox;
  /** Deduplication key; defaults to the CloudEvent `source#id`. */
  messageId?: (message: KafkaMessage) => string;
  /** The effect, in the inbox transaction; runs at most once per message id. */
  handle(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void>;
  /**
   * Dead letters, as for the Kafka consumer: an event without a valid inbox key, or whose effect
   * failed permanently. Once it resolves the log moves past the event; if it throws, the event
   * is retried.
   */
  onInvalidMessage(delivery: InboxKafkaMessage, error: unknown): Promise<void>;
  /** Errors of `handle` no retry can fix. Default: none (every failure is retried). */
  isPermanentFailure?: (error: unknown) => boolean;
  /** As for the Kafka consumer: after the transaction that applied an event's effect committed. */
  onApplied?: (delivery: InboxKafkaMessage) => void;
  logger?: SubscriptionLogger;
}

export interface LedgerLogConsumerStatus extends SubscriptionStatus {
  /** Events of the producer's log this consumer has read past (delivered or skipped). */
  eventsProcessed: number;
  /** Effects applied (inbox rows written) by this instance. */
  eventsDelivered: number;
  /** Events handed to `onInvalidMessage` by this instance. */
  eventsDeadLettered: number;
}

export type LedgerLogBatchOutcome =
  | { kind: 'caught-up'; checkpoint: GlobalCheckpoint }
  | { kind: 'processed'; eventCount: number; checkpoint: GlobalCheckpoint; full: boolean };

export interface LedgerLogConsumer {
  /** Checkpoint name in the consumer's schema. */
  readonly name: string;
  readonly settings: SubscriptionSettings;
  /**
   * Refuses (`LEDGER.TRANSACTION_IDS_BEHIND`) on a logically restored database, then polls the
   * producer's log in the background. Idempotent while running.
   */
  start(): Promise<void>;
  /** Waits for the event in hand (committed or rolled back), then stops. */
  stop(): Promise<void>;
  /** Skips the idle wait: call after an append to the producer's ledger. */
  wake(): void;
  status(): LedgerLogConsumerStatus;
  /** Producer events (routed or not) after the stored checkpoint. */
  lag(): Promise<SubscriptionLag>;
  /** Reads one batch and handles its events, each in its own transaction (tests and tools). */
  processNextBatch(): Promise<LedgerLogBatchOutcome>;
  /** Batches until caught up (or `maxBatches`). */
  catchUp(maxBatches?: number): Promise<{ eventCount: number; batches: number }>;
}

/**
 * Delivers a producer's public events to a consumer by reading the producer's ledger (another
 * schema of the same database) in commit order, in place of the relay → Kafka → inbox consumer
 * path. Each event is mapped with the producer's router to the very CloudEvent record its relay
 * would publish, and handed to the same `handle` through the same inbox.
 *
 * The batch is read in one short transaction; each delivered event then runs in its own unit of
 * work on the consumer's store, where its inbox row, its effect and the checkpoint move (a
 * compare-and-set to just past it) commit together. No transaction is held open while another
 * connection is awaited, so one PGlite session can serve every connection.
 */
export function createLedgerLogConsumer(options: LedgerLogConsumerOptions): LedgerLogConsumer {
  return new LedgerLogConsumerImpl(options);
}

type EventOutcome = 'delivered' | 'duplicate' | 'dead-lettered';

class LedgerLogConsumerImpl implements LedgerLogConsumer {
  readonly name: string;
  readonly settings: SubscriptionSettings;
  private readonly consumerName: string;
  private readonly topics: ReadonlySet<string>;
  private readonly mode: KafkaContentMode;
  private readonly inbox: Inbox;
  private readonly checkpoints: CheckpointRepository;
  private readonly logger: SubscriptionLogger;
  private readonly messageIdOf: (message: KafkaMessage) => string;
  private readonly batchLoop: BatchLoop;
  private lastCheckpoint: GlobalCheckpoint | undefined;
  private eventsProcessed = 0;
  private eventsDelivered = 0;
  private eventsDeadLettered = 0;
  private transactionIdsChecked = false;

  constructor(private readonly options: LedgerLogConsumerOptions) {
    const { producer } = options;
    qualifiedName(producer.schema, 'events');
    if (options.topics.length === 0) {
      throw new SubscriptionError('CONFIG.INVALID', 'give the ledger-log consumer a topic');
    }
    this.consumerName = options.consumerName ?? options.groupId;
    this.name = options.name ?? `ledger-log:${producer.schema}:${this.consumerName}`;
    assertSubscriptionName(this.name);
    this.settings = resolveSubscriptionSettings({
      ...options,
      idlePollMs: options.idlePollMs ?? DEFAULT_LEDGER_LOG_IDLE_POLL_MS,
    });
    this.topics = new Set(options.topics);
    this.mode = producer.mode ?? 'binary';
    this.inbox = options.inbox ?? new Inbox({ store: options.store, schema: options.schema });
    this.checkpoints = new CheckpointRepository(options.schema);
    this.logger = options.logger ?? jsonStderrLogger;
    this.messageIdOf = options.messageId ?? cloudEventMessageId;
    this.batchLoop = new BatchLoop({
      settings: this.settings,
      logger: this.logger,
      messages: {
        started: 'ledger-log consumer started',
        stopped: 'ledger-log consumer stopped',
        failed: 'ledger-log consumer failed permanently',
        retrying: 'ledger-log consumer event failed; retrying',
      },
      fields: () => this.fields(),
      processNextBatch: () => this.processNextBatch(),
    });
  }

  async start(): Promise<void> {
    if (this.batchLoop.running) return;
    await this.preflight();
    this.batchLoop.start();
  }

  async stop(): Promise<void> {
    await this.batchLoop.stop();
  }

  wake(): void {
    this.batchLoop.wake();
  }

  status(): LedgerLogConsumerStatus {
    return {
      name: this.name,
      state: this.batchLoop.state,
      lastCheckpoint: this.lastCheckpoint,
      eventsProcessed: this.eventsProcessed,
      eventsDelivered: this.eventsDelivered,
      eventsDeadLettered: this.eventsDeadLettered,
      consecutiveFailures: this.batchLoop.consecutiveFailures,
      lastError: this.batchLoop.lastError,
    };
  }

  async lag(): Promise<SubscriptionLag> {
    return this.options.producer.store.transaction(async (tx) => {
      const checkpoint = await this.checkpoints.load(tx.sql, this.name);
      return measureLag(tx.sql, this.options.producer.schema, checkpoint);
    });
  }

  async processNextBatch(): Promise<LedgerLogBatchOutcome> {
    const { producer } = this.options;
    const batchSize = this.settings.batchSize;
    // One short read: the checkpoint (consumer's schema) and the events after it (producer's).
    const { from, events, to } = await producer.store.transaction(async (tx) => {
      if (!this.transactionIdsChecked) {
        await assertTransactionIdsAhead(tx.sql, producer.schema);
        this.transactionIdsChecked = true;
      }
      const checkpoint = await this.checkpoints.load(tx.sql, this.name);
      const read = await tx.readAll({ after: checkpoint, maxCount: batchSize });
      return { from: checkpoint, events: read.events, to: read.checkpoint };
    });
    if (events.length === 0) {
      this.lastCheckpoint = from;
      return { kind: 'caught-up', checkpoint: from };
    }
    assertBatchInvariants(from, to, events, batchSize);

    let stored = from;
    let looked = 0;
    let skipped = 0;
    for (const event of events) {
      if (this.batchLoop.stopRequested) break;
      looked += 1;
      const route = producer.route(event);
      if (route === null || !this.topics.has(route.topic)) {
        skipped += 1;
        continue;
      }
      const next = checkpointOf(event);
      const delivery = ledgerLogDelivery(event, route, producer.source, this.mode);
      const outcome = await this.deliver(event, delivery, stored, next);
      // The checkpoint is now past this event and the skipped ones before it.
      stored = next;
      this.lastCheckpoint = stored;
      this.eventsProcessed += skipped + 1;
      skipped = 0;
      if (outcome === 'delivered') this.eventsDelivered += 1;
      if (outcome === 'dead-lettered') this.eventsDeadLettered += 1;
    }
    // Skipped events after the last delivered one: move past them too.
    const last = events[looked - 1];
    if (skipped > 0 && last !== undefined) {
      const after = stored;
      const end = checkpointOf(last);
      await this.options.store.transaction((tx) =>
        this.checkpoints.advance(tx.sql, this.name, after, end),
      );
      stored = end;
      this.lastCheckpoint = stored;
      this.eventsProcessed += skipped;
    }
    return {
      kind: 'processed',
      eventCount: looked,
      checkpoint: stored,
      full: events.length === batchSize && looked === events.length,
    };
  }

  async catchUp(maxBatches = 100_000): Promise<{ eventCount: number; batches: number }> {
    let eventCount = 0;
    for (let batches = 0; batches < maxBatches; batches++) {
      const outcome = await this.processNextBatch();
      if (outcome.kind === 'caught-up') return { eventCount, batches };
      eventCount += outcome.eventCount;
    }
    return { eventCount, batches: maxBatches };
  }

  private async preflight(): Promise<void> {
    await this.options.producer.store.transaction((tx) =>
      assertTransactionIdsAhead(tx.sql, this.options.producer.schema),
    );
    this.transactionIdsChecked = true;
  }

  /**
   * One event in its own unit of work: inbox row, checkpoint move from `from` to `to` and effect
   * commit together. A dead letter is recorded by `onInvalidMessage`, then the checkpoint moves
   * in a transaction of its own. Anything else that fails is thrown: the batch stops there and
   * the loop retries from the stored checkpoint, so an event is never skipped.
   */
  private async deliver(
    event: RecordedEvent,
    delivery: InboxKafkaMessage,
    from: GlobalCheckpoint,
    to: GlobalCheckpoint,
  ): Promise<EventOutcome> {
    const result = await this.applyOnce(delivery, from, to);
    if (result.kind === 'applied') {
      this.options.onApplied?.(delivery);
      return 'delivered';
    }
    if (result.kind === 'invalid') {
      this.logger.log('warn', 'inbox consumer dead-lettered an invalid message', {
        ...this.fields(),
        topic: delivery.topic,
        eventId: event.eventId,
        offset: delivery.message.offset,
        error: describeError(result.error),
      });
      await this.options.onInvalidMessage(delivery, result.error);
    }
    await this.options.store.transaction((tx) =>
      this.checkpoints.advance(tx.sql, this.name, from, to),
    );
    return result.kind === 'invalid' ? 'dead-lettered' : 'duplicate';
  }

  private async applyOnce(
    delivery: InboxKafkaMessage,
    from: GlobalCheckpoint,
    to: GlobalCheckpoint,
  ): Promise<{ kind: 'applied' } | { kind: 'duplicate' } | { kind: 'invalid'; error: unknown }> {
    let messageId: string;
    try {
      messageId = this.messageIdOf(delivery.message);
    } catch (error) {
      return { kind: 'invalid', error };
    }
    let effectStarted = false;
    try {
      const result = await this.inbox.consumeOnce(this.consumerName, messageId, async (tx) => {
        effectStarted = false;
        await this.checkpoints.advance(tx.sql, this.name, from, to);
        effectStarted = true;
        await this.options.handle(delivery, tx);
      });
      return result.applied ? { kind: 'applied' } : { kind: 'duplicate' };
    } catch (error) {
      if (!effectStarted && isInvalidKey(error)) return { kind: 'invalid', error };
      if (effectStarted && this.options.isPermanentFailure?.(error) === true) {
        return { kind: 'invalid', error };
      }
      throw error;
    }
  }

  private fields(): Record<string, unknown> {
    return {
      subscription: this.name,
      consumer: this.consumerName,
      producer: this.options.producer.schema,
    };
  }
}

function isInvalidKey(error: unknown): boolean {
  return error instanceof SubscriptionError && error.code === 'LEDGER.INBOX_INVALID_KEY';
}
