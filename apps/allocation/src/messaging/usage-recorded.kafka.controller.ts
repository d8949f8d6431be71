// Debits budgets from recorded usage: consumes plafond.usage.recorded.v1 through the ledger inbox,
// so each CloudEvent (source#id) takes effect exactly once however often Kafka delivers it.
// Records that can never apply go to dead_letters and the partition moves on.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { UsageRecordedV1 } from '@plafond/contracts';
import {
  EVENT_STORE,
  type EventStore,
  type InboxKafkaMessage,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  InboxConsumer,
  MESSAGE_TRANSPORT,
  MessageTransport,
  createInboxConsumerEdge,
  deadLetterInto,
  type InboxConsumerEdge,
  type InboxConsumerEdgeStatus,
} from '@plafond/messaging';
import { DeadLetters, JsonLogger, KafkaClients } from '@plafond/platform';
import type { KafkaMessage } from 'kafkajs';
import { AllocationConfig } from '../config';
import { ApplicationError } from '../application';
import { DomainError } from '../domain';
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

export type UsageConsumerStatus = InboxConsumerEdgeStatus;

/**
 * A refusal of the usage itself (e.g. a use case id longer than the domain accepts) never passes
 * on retry: dead-letter it. Anything else (database, concurrency, a full queue) is retried.
 */
export function isPermanentUsageFailure(error: unknown): boolean {
  return error instanceof DomainError || (error instanceof ApplicationError && !error.retryable);
}

@Injectable()
export class UsageRecordedConsumer extends InboxConsumer {
  readonly topic: string;
  readonly groupId: string;
  protected readonly edge: InboxConsumerEdge;
  protected readonly autoStart: boolean;
  /** Parsed by the inbox key function, read back by the handler: each record is decoded once. */
  private readonly parsed = new WeakMap<KafkaMessage, UsageRecordedMessage>();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: AllocationConfig,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    deadLetters: DeadLetters,
    @Inject(USAGE_DEBITS) private readonly debits: UsageDebitsPort,
    @Inject(MESSAGING_SETTINGS) settings: MessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    super();
    this.topic = settings.usageRecordedTopic;
    this.groupId = settings.usageGroupId;
    this.autoStart = settings.autoStart;
    this.edge = createInboxConsumerEdge(
      {
        store,
        schema: config.databaseSchema,
        clients,
        logger,
        transport,
        retry: settings.startRetry,
      },
      {
        name: 'usage.recorded consumer',
        loggerContext: 'UsageRecordedConsumer',
        topic: this.topic,
        groupId: this.groupId,
        fromBeginning: settings.usageFromBeginning,
        consumerConfig: settings.usageConsumerConfig,
        messageId: (message) => this.read(message).messageId,
        handle: (delivery, tx) => this.apply(delivery, tx),
        isPermanentFailure: isPermanentUsageFailure,
        onInvalidMessage: deadLetterInto(deadLetters, this.groupId),
      },
    );
  }

  status(): UsageConsumerStatus {
    return this.edge.status();
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
}
