// What every inbox consumer of the three services shares: one topic of another service's public
// events, read through the ledger inbox (each CloudEvent takes effect once), started in the
// background (retrying while the broker or the database is unreachable), and whose permanently
// refused records go to the consumer's dead letters. The transport decides where the records come
// from: a Kafka consumer group, or the producer's ledger read in place (embedded mode). The
// handler, the inbox, the key and the dead letters are the same either way.
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import {
  Inbox,
  createInboxKafkaConsumer,
  createLedgerLogConsumer,
  type EventStore,
  type InboxKafkaMessage,
  type LedgerLogConsumer,
  type LedgerLogConsumerStatus,
  type SubscriptionLag,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  BackgroundStart,
  subscriptionLogger,
  type DeadLetters,
  type EdgeStatus,
  type JsonLogger,
  type KafkaClients,
  type RetryTuning,
} from '@plafond/platform';
import type { ConsumerConfig, KafkaMessage } from 'kafkajs';
import { MessageTransport } from './message-transport';

/** What the edge is built from (the consumer's injected dependencies). */
export interface InboxConsumerEdgeDeps {
  /** The consuming service's ledger: the inbox transaction of each record runs on it. */
  store: EventStore;
  /** The consuming service's schema: inbox, ledger-log checkpoint. */
  schema: string;
  /** Kafka clients (only used over Kafka: the consumer is made there so shutdown finds it). */
  clients: KafkaClients;
  logger: JsonLogger;
  /** The injected transport; none means Kafka (every process but the embedded host). */
  transport: MessageTransport | undefined;
  /** Retries of the background start. */
  retry?: RetryTuning;
}

export interface InboxConsumerEdgeOptions {
  /** Background start name, e.g. `billing usage.recorded consumer`. */
  name: string;
  /** Logger context of the consumer, e.g. `BillingUsageRecordedConsumer`. */
  loggerContext: string;
  /** False: nothing is created, start and stop do nothing. Default true. */
  enabled?: boolean;
  topic: string;
  /** Kafka consumer group; also the inbox consumer name under either transport. */
  groupId: string;
  /** Kafka only: where a new group starts. Default true (every record matters). */
  fromBeginning?: boolean;
  /** Kafka only: consumer options (sessions, heartbeats, …). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /** The inbox key; default the CloudEvent `source#id`. */
  messageId?: (message: KafkaMessage) => string;
  handle(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void>;
  isPermanentFailure(error: unknown): boolean;
  /** A record without a valid key, or whose effect failed for good; resolve to move past it. */
  onInvalidMessage(delivery: InboxKafkaMessage, error: unknown): Promise<void>;
  /** After the transaction that applied a record's effect committed (for in-memory counts). */
  onApplied?: (delivery: InboxKafkaMessage) => void;
  /** Kafka only: records per inbox transaction (default 100, see createInboxKafkaConsumer). */
  maxMessagesPerTransaction?: number;
}

/** The ledger-log side of a status: whose log is read, and how far. */
export interface LedgerLogReadStatus {
  /** The producing service, e.g. `allocation`. */
  producer: string;
  /** The checkpoint name in the consumer's schema. */
  checkpointName: string;
  subscription: LedgerLogConsumerStatus;
}

export interface InboxConsumerEdgeStatus extends EdgeStatus {
  enabled: boolean;
  transport: MessageTransport['kind'];
  topic: string;
  groupId: string;
  /** Under ledger-log: the producer and the consumer's checkpoint. */
  ledgerLog?: LedgerLogReadStatus;
}

export interface InboxConsumerEdge {
  readonly transport: MessageTransport['kind'];
  /** Starts in the background (retrying while the broker or database is unreachable). */
  start(): void;
  /** Finishes the record in hand, stores its offset or checkpoint, then stops. */
  stop(): Promise<void>;
  status(): InboxConsumerEdgeStatus;
  /**
   * Under ledger-log: producer events after the checkpoint. Null over Kafka (the broker keeps
   * the group's lag: `kafka-consumer-groups --describe`) or when disabled.
   */
  lag(): Promise<SubscriptionLag | null>;
  /** Under ledger-log: skips the idle wait (after an in-process append). No-op over Kafka. */
  wake(): void;
}

/** A logically restored database: reading on would skip events; an operator must act. */
const isRestoredDatabase = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === 'LEDGER.TRANSACTION_IDS_BEHIND';

export function createInboxConsumerEdge(
  deps: InboxConsumerEdgeDeps,
  options: InboxConsumerEdgeOptions,
): InboxConsumerEdge {
  const { topic, groupId } = options;
  const { logger } = deps;
  const transport = deps.transport ?? MessageTransport.kafka();
  const enabled = options.enabled ?? true;
  const common = {
    inbox: new Inbox({ store: deps.store, schema: deps.schema }),
    messageId: options.messageId,
    handle: (delivery: InboxKafkaMessage, tx: TransactionalEventStore) =>
      options.handle(delivery, tx),
    onInvalidMessage: (delivery: InboxKafkaMessage, error: unknown) =>
      options.onInvalidMessage(delivery, error),
    isPermanentFailure: (error: unknown) => options.isPermanentFailure(error),
    onApplied: (delivery: InboxKafkaMessage) => options.onApplied?.(delivery),
    logger: subscriptionLogger(logger, options.loggerContext),
  };
  let starter: BackgroundStart | null = null;
  let ledgerLog: { consumer: LedgerLogConsumer; producer: string } | null = null;
  if (enabled && transport.usesKafka) {
    const consumer = createInboxKafkaConsumer({
      ...common,
      // From KafkaClients, so that shutdown disconnects it (after the record in hand).
      consumer: deps.clients.consumer({ ...options.consumerConfig, groupId }),
      groupId,
      topics: [topic],
      fromBeginning: options.fromBeginning ?? true,
      maxMessagesPerTransaction: options.maxMessagesPerTransaction,
    });
    starter = new BackgroundStart({
      name: options.name,
      start: () => consumer.start(),
      stop: () => consumer.stop(),
      logger,
      retry: deps.retry,
    });
  } else if (enabled) {
    const producer = transport.producerFor(topic);
    const consumer = createLedgerLogConsumer({
      ...common,
      store: deps.store,
      schema: deps.schema,
      producer,
      topics: [topic],
      groupId,
      idlePollMs: transport.idlePollMs,
    });
    ledgerLog = { consumer, producer: producer.name };
    starter = new BackgroundStart({
      name: options.name,
      start: () => consumer.start(),
      stop: () => consumer.stop(),
      isFatal: isRestoredDatabase,
      logger,
      retry: deps.retry,
    });
  }
  return {
    transport: transport.kind,
    start: () => starter?.begin(),
    stop: async () => {
      await starter?.end();
    },
    status: () => ({
      ...(starter?.status() ?? { state: 'idle', attempts: 0, lastError: undefined }),
      enabled,
      transport: transport.kind,
      topic,
      groupId,
      ...(ledgerLog === null
        ? {}
        : {
            ledgerLog: {
              producer: ledgerLog.producer,
              checkpointName: ledgerLog.consumer.name,
              subscription: ledgerLog.consumer.status(),
            },
          }),
    }),
    lag: () => (ledgerLog === null ? Promise.resolve(null) : ledgerLog.consumer.lag()),
    wake: () => ledgerLog?.consumer.wake(),
  };
}

/**
 * The usual `onInvalidMessage`: the record goes to the service's dead letters under `consumer`
 * (the group id), then `onRecorded` runs (for the consumer's counts). Under ledger-log the record
 * is the one Kafka would carry (partition 0, offset = the producer's ledger position).
 */
export function deadLetterInto(
  deadLetters: DeadLetters,
  consumer: string,
  onRecorded?: () => void,
): InboxConsumerEdgeOptions['onInvalidMessage'] {
  return async (delivery, error) => {
    await deadLetters.record({
      consumer,
      topic: delivery.topic,
      partition: delivery.partition,
      message: delivery.message,
      error,
    });
    onRecorded?.();
  };
}

/** Nest lifecycle of an inbox consumer: started on bootstrap (`autoStart`), stopped on destroy. */
export abstract class InboxConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly edge: InboxConsumerEdge;
  /** Start with the application. */
  protected abstract readonly autoStart: boolean;

  onApplicationBootstrap(): void {
    if (this.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts in the background (retrying while the broker or database is unreachable). */
  start(): void {
    this.edge.start();
  }

  /** Finishes the record in hand, stores its offset or checkpoint, then stops. */
  async stop(): Promise<void> {
    await this.edge.stop();
  }

  /** Under ledger-log: producer events not yet read past; null over Kafka. */
  lag(): Promise<SubscriptionLag | null> {
    return this.edge.lag();
  }

  /** Under ledger-log: reads the producer's log now instead of at the next idle poll. */
  wake(): void {
    this.edge.wake();
  }
}
