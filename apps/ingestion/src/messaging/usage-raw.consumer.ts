// Consumes the raw usage topic (what integrators produce directly, CloudEvents structured or
// binary) into the same UsagePipeline as HTTP, through the ledger inbox. Every record ends as
// accepted, duplicate or UsageRejected (which the relay publishes on the rejected topic); only a
// failure of PostgreSQL (or of the integrator lookup) retries the record, so a poison message
// never blocks its partition. The pipeline commits in its own transactions, before the inbox row:
// a crash in between re-runs the record, which is harmless (accepted usage comes back a
// duplicate; a rejection's stream and event id derive from the record, so none is written twice).
// A record the ledger cannot store (LedgerInvalidEventError) fails for good: it is recorded as
// rejected (INGEST.UNSTORABLE, its bytes as base64) instead of being retried for ever.
import { createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  EVENT_STORE,
  Inbox,
  LedgerInvalidEventError,
  createInboxKafkaConsumer,
  type EventStore,
  type InboxKafkaConsumer,
  type InboxKafkaMessage,
} from '@plafond/ledger';
import { MESSAGE_TRANSPORT, transportKind, type MessageTransport } from '@plafond/messaging';
import { JsonLogger, KafkaClients } from '@plafond/platform';
import type { KafkaMessage } from 'kafkajs';
import { UsagePipeline, type IngestionCaller, type ItemResult } from '../application';
import { IngestionConfig } from '../config';
import { BackgroundStart, type EdgeStatus } from '@plafond/platform';
import { subscriptionLogger } from '@plafond/platform';
import {
  INGESTION_MESSAGING_SETTINGS,
  INTEGRATOR_LOOKUP,
  type IngestionMessagingSettings,
  type IntegratorLookup,
} from './messaging.options';
import { readRawUsageRecord } from './usage-raw.message';

export const RAW_USAGE_ERROR = {
  /** No (enabled) integrator has the event's `source`. */
  sourceUnknown: 'INGEST.SOURCE_UNKNOWN',
  /** The ledger refused to store what the record became (LEDGER.INVALID_EVENT). */
  unstorable: 'INGEST.UNSTORABLE',
} as const;

/** Failures of a record that no retry can fix: the record is rejected, never retried. */
export const isPermanentRawUsageFailure = (error: unknown): boolean =>
  error instanceof LedgerInvalidEventError;

/** The caller of records no integrator owns (unreadable, unknown source): only rejections. */
export const UNKNOWN_KAFKA_CALLER: IngestionCaller = {
  integratorId: 'kafka:unknown',
  allowedSource: null,
  allowedUnits: [],
};

export interface RawUsageConsumerStatus extends EdgeStatus {
  /** False under the ledger-log transport: there is no broker to read the raw topic from. */
  enabled: boolean;
  transport: MessageTransport['kind'];
  /** Why it does not run, when disabled. */
  disabledReason?: string;
  topic: string;
  groupId: string;
  /** Outcomes since the start of this process. */
  counts: { accepted: number; duplicate: number; rejected: number };
}

@Injectable()
export class RawUsageConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly topic: string;
  readonly groupId: string;
  /** Null under the ledger-log transport (no broker): nothing is created or started. */
  private readonly starter: BackgroundStart | null;
  private readonly transportKind: MessageTransport['kind'];
  private readonly counts = { accepted: 0, duplicate: 0, rejected: 0 };
  /**
   * A record's outcome, counted by onApplied once its inbox transaction has committed. The first
   * outcome is kept: the pipeline commits before the inbox does, so when the inbox transaction
   * rolls back (a later record of its chunk failed) and the record runs again, the pipeline
   * answers "duplicate" of what it recorded the first time.
   */
  private readonly outcomes = new WeakMap<KafkaMessage, ItemResult['status']>();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly pipeline: UsagePipeline,
    @Inject(INTEGRATOR_LOOKUP) private readonly integrators: IntegratorLookup,
    @Inject(INGESTION_MESSAGING_SETTINGS) private readonly settings: IngestionMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    this.topic = settings.usageRawTopic;
    this.groupId = settings.rawGroupId;
    this.transportKind = transportKind(transport);
    if (this.transportKind !== 'kafka') {
      // Integrators' own Kafka producers are a distributed-mode feature; embedded, usage comes
      // over HTTP only.
      this.starter = null;
      return;
    }
    const inboxConsumer: InboxKafkaConsumer = createInboxKafkaConsumer({
      consumer: clients.consumer({ ...settings.consumerConfig, groupId: this.groupId }),
      groupId: this.groupId,
      topics: [this.topic],
      fromBeginning: true,
      inbox: new Inbox({ store, schema: config.databaseSchema }),
      // The record itself, not the CloudEvent's source#id: the pipeline deduplicates (source, id)
      // and must see a second event with the same id and another payload, to reject it as a
      // conflict. The inbox only stops a redelivered record from being rejected twice.
      messageId: rawRecordId,
      handle: (delivery) => this.ingest(delivery),
      onApplied: (delivery) => this.count(delivery.message),
      isPermanentFailure: isPermanentRawUsageFailure,
      // A record the ledger cannot store is rejected; anything else (unreachable in practice:
      // every record is turned into an item) is logged, never blocking.
      onInvalidMessage: (delivery, error) => this.deadLetter(delivery, error),
      logger: subscriptionLogger(logger, 'RawUsageConsumer'),
    });
    this.starter = new BackgroundStart({
      name: 'usage.raw consumer',
      start: () => inboxConsumer.start(),
      stop: () => inboxConsumer.stop(),
      logger,
      retry: settings.startRetry,
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.starter?.begin();
  }

  async stop(): Promise<void> {
    await this.starter?.end();
  }

  status(): RawUsageConsumerStatus {
    return {
      ...(this.starter?.status() ?? { state: 'idle', attempts: 0, lastError: undefined }),
      enabled: this.starter !== null,
      transport: this.transportKind,
      ...(this.starter === null
        ? {
            disabledReason: `the ${this.transportKind} transport has no broker: usage comes over HTTP`,
          }
        : {}),
      topic: this.topic,
      groupId: this.groupId,
      counts: { ...this.counts },
    };
  }

  /** Runs one record through the pipeline (what the inbox consumer calls; public for tests). */
  async ingest(delivery: InboxKafkaMessage): Promise<void> {
    const record = readRawUsageRecord(delivery.message);
    const options = { rejectionKey: rawDeliveryKey(delivery) };
    let result: ItemResult | undefined;
    if (record.kind === 'unreadable') {
      [result] = await this.pipeline.ingest([record.item], UNKNOWN_KAFKA_CALLER, 'kafka', options);
    } else {
      const caller = await this.integrators.callerForSource(record.event.source);
      if (caller === null) {
        const issue = {
          code: RAW_USAGE_ERROR.sourceUnknown,
          message: `no integrator is registered for source "${record.event.source}"`,
          path: 'source',
        };
        [result] = await this.pipeline.ingest(
          [{ format: 'unreadable', payload: record.event, issues: [issue] }],
          UNKNOWN_KAFKA_CALLER,
          'kafka',
          options,
        );
      } else {
        [result] = await this.pipeline.ingest(
          [{ format: 'cloudevent', event: record.event }],
          caller,
          'kafka',
          options,
        );
      }
    }
    if (result === undefined) return;
    if (!this.outcomes.has(delivery.message)) this.outcomes.set(delivery.message, result.status);
    this.logger.write(
      result.status === 'rejected' ? 'info' : 'debug',
      `raw usage ${result.status}`,
      {
        partition: delivery.partition,
        offset: delivery.message.offset,
        source: result.source,
        id: result.id,
        code: result.error?.code,
      },
      'RawUsageConsumer',
    );
  }

  private count(message: KafkaMessage): void {
    const outcome = this.outcomes.get(message);
    if (outcome === undefined) return;
    this.outcomes.delete(message);
    this.counts[outcome] += 1;
  }

  /**
   * A record that failed for good: recorded as rejected (its bytes, INGEST.UNSTORABLE) when the
   * ledger refused it, else only logged. A failing database throws, so the batch is retried.
   */
  async deadLetter(delivery: InboxKafkaMessage, error: unknown): Promise<void> {
    if (isPermanentRawUsageFailure(error)) {
      const value = delivery.message.value ?? Buffer.alloc(0);
      const issue = {
        code: RAW_USAGE_ERROR.unstorable,
        message: 'the ledger cannot store this record; fix its content and send it again',
        path: '',
      };
      try {
        await this.pipeline.ingest(
          [{ format: 'unreadable', payload: value, issues: [issue] }],
          UNKNOWN_KAFKA_CALLER,
          'kafka',
          { rejectionKey: `${rawDeliveryKey(delivery)}:unstorable` },
        );
        this.counts.rejected += 1;
        this.logger.write(
          'warn',
          'raw usage rejected: the ledger cannot store it',
          { err: error, partition: delivery.partition, offset: delivery.message.offset },
          'RawUsageConsumer',
        );
        return;
      } catch (rejectionError) {
        if (!isPermanentRawUsageFailure(rejectionError)) throw rejectionError;
      }
    }
    this.logger.write(
      'error',
      'raw usage record skipped',
      { err: error, partition: delivery.partition, offset: delivery.message.offset },
      'RawUsageConsumer',
    );
  }
}

/**
 * What names one record for good, whatever the delivery: topic, partition and its inbox key. A
 * re-run of the record derives the same rejection stream and event id from it.
 */
export function rawDeliveryKey(delivery: InboxKafkaMessage): string {
  return `${delivery.topic}:${delivery.partition}:${rawRecordId(delivery.message)}`;
}

/**
 * Inbox key of one raw record: offset, broker timestamp and a digest of key, headers and value.
 * kafkajs does not give the partition to the key function; two records of different partitions
 * would need the same offset, timestamp and bytes to collide.
 */
export function rawRecordId(message: KafkaMessage): string {
  const hash = createHash('sha256');
  const add = (part: Buffer | string | null | undefined) => {
    const bytes = part === null || part === undefined ? Buffer.alloc(0) : Buffer.from(part);
    hash.update(String(bytes.byteLength)).update(':').update(bytes);
  };
  add(message.key);
  for (const [name, value] of Object.entries(message.headers ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    add(name);
    for (const item of Array.isArray(value) ? value : [value]) add(item);
  }
  add(message.value);
  return `raw:${message.offset}:${message.timestamp}:${hash.digest('hex')}`;
}
