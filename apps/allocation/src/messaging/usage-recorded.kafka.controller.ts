// Debits budgets from recorded usage: consumes plafond.usage.recorded.v1 through the ledger inbox,
// so each CloudEvent (source#id) takes effect exactly once however often Kafka delivers it.
// Records that can never apply go to dead_letters and the partition moves on.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { UsageRecordedV1 } from '@plafond/contracts';
import {
  EVENT_STORE,
  Inbox,
  createInboxKafkaConsumer,
  type EventStore,
  type InboxKafkaConsumer,
  type InboxKafkaMessage,
  type TransactionalEventStore,
} from '@plafond/ledger';
import { DeadLetters, JsonLogger, KafkaClients } from '@plafond/platform';
import type { KafkaMessage } from 'kafkajs';
import { AllocationConfig } from '../config';
import { ApplicationError } from '../application';
import { DomainError } from '../domain';
import { BackgroundStart, type EdgeStatus } from '@plafond/platform';
import { subscriptionLogger } from '@plafond/platform';
import { MESSAGING_SETTINGS, type MessagingSettings } from './messaging.options';
import { readUsageRecordedMessage, type UsageRecordedMessage } from './usage-recorded.message';

/** Port of the application's UsageDebits (H1): the effect, inside the inbox transaction. */
export interface UsageDebitsPort {
  apply(
    tx: TransactionalEventStore,
    usage: UsageRecordedV1,
    context: { messageId: string; actor: string },
  ): Promise<unknown>;
}

export const USAGE_DEBITS = Symbol('plafond.allocation.USAGE_DEBITS');
/** `metadata.actor` of every event a recorded usage causes. */
export const USAGE_RECORDED_ACTOR = 'kafka:usage.recorded';

export interface UsageConsumerStatus extends EdgeStatus {
  topic: string;
  groupId: string;
}

/**
 * A refusal of the usage itself (e.g. a use case id longer than the domain accepts) never passes
 * on retry: dead-letter it. Anything else (database, concurrency, a full queue) is retried.
 */
export function isPermanentUsageFailure(error: unknown): boolean {
  return error instanceof DomainError || (error instanceof ApplicationError && !error.retryable);
}

@Injectable()
export class UsageRecordedConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly topic: string;
  readonly groupId: string;
  private readonly inboxConsumer: InboxKafkaConsumer;
  private readonly starter: BackgroundStart;
  /** Parsed by the inbox key function, read back by the handler: each record is decoded once. */
  private readonly parsed = new WeakMap<KafkaMessage, UsageRecordedMessage>();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly deadLetters: DeadLetters,
    @Inject(USAGE_DEBITS) private readonly debits: UsageDebitsPort,
    @Inject(MESSAGING_SETTINGS) private readonly settings: MessagingSettings,
  ) {
    this.topic = settings.usageRecordedTopic;
    this.groupId = settings.usageGroupId;
    this.inboxConsumer = createInboxKafkaConsumer({
      // From KafkaClients, so that shutdown disconnects it (after the record in hand).
      consumer: clients.consumer({ ...settings.usageConsumerConfig, groupId: this.groupId }),
      groupId: this.groupId,
      topics: [this.topic],
      fromBeginning: settings.usageFromBeginning,
      inbox: new Inbox({ store, schema: config.databaseSchema }),
      messageId: (message) => this.read(message).messageId,
      handle: (delivery, tx) => this.apply(delivery, tx),
      onInvalidMessage: (delivery, error) => this.deadLetter(delivery, error),
      isPermanentFailure: isPermanentUsageFailure,
      logger: subscriptionLogger(logger, 'UsageRecordedConsumer'),
    });
    this.starter = new BackgroundStart({
      name: 'usage.recorded consumer',
      start: () => this.inboxConsumer.start(),
      stop: () => this.inboxConsumer.stop(),
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

  /** Joins the group in the background (retrying while the broker is unreachable). */
  start(): void {
    this.starter.begin();
  }

  /** Finishes the record in hand, commits its offset and leaves the group. */
  stop(): Promise<void> {
    return this.starter.end();
  }

  status(): UsageConsumerStatus {
    return { ...this.starter.status(), topic: this.topic, groupId: this.groupId };
  }

  private read(message: KafkaMessage): UsageRecordedMessage {
    const known = this.parsed.get(message);
    if (known !== undefined) return known;
    const parsed = readUsageRecordedMessage(message);
    this.parsed.set(message, parsed);
    return parsed;
  }

  private async apply(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void> {
    const { messageId, usage, event } = this.read(delivery.message);
    if (usage === null) {
      this.logger.write(
        'debug',
        'usage record acknowledged without effect',
        { messageId, type: event.type, offset: delivery.message.offset },
        'UsageRecordedConsumer',
      );
      return;
    }
    const outcome = await this.debits.apply(tx, usage, { messageId, actor: USAGE_RECORDED_ACTOR });
    this.logger.write(
      'debug',
      'recorded usage applied',
      {
        messageId,
        unitId: usage.unitId,
        partition: delivery.partition,
        offset: delivery.message.offset,
        debits: Array.isArray(outcome) ? outcome.length : undefined,
      },
      'UsageRecordedConsumer',
    );
  }

  private async deadLetter(delivery: InboxKafkaMessage, error: unknown): Promise<void> {
    await this.deadLetters.record({
      consumer: this.groupId,
      topic: delivery.topic,
      partition: delivery.partition,
      message: delivery.message,
      error,
    });
  }
}
