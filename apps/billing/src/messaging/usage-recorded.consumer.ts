// Charges recorded usage and re-rates it: consumes plafond.usage.recorded.v1 (usage.recorded and
// usage.adjusted CloudEvents) through the ledger inbox, so each CloudEvent (source#id) takes
// effect once however often Kafka delivers it. Records that can never apply go to dead_letters
// and the partition moves on.
import { Inject, Injectable, Optional } from '@nestjs/common';
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
import { UsageCharging } from '../application/charging.service';
import type { CommandContext } from '../application/command-context';
import {
  DirectoryBehindError,
  type DirectoryBehindDetails,
} from '../application/directory-behind.error';
import { BillingError } from '../domain/errors';
import { isPermanentDataFailure } from './permanent-failure';
import { BILLING_MESSAGING_SETTINGS, type BillingMessagingSettings } from './messaging.options';
import { readUsageTopicMessage, type UsageTopicMessage } from './usage-recorded.message';

/** `metadata.actor` of every event a usage.recorded / usage.adjusted record causes. */
export const USAGE_RECORDED_ACTOR = 'kafka:usage.recorded';
const CONTEXT: CommandContext = { actor: USAGE_RECORDED_ACTOR };

export interface UsageRecordedConsumerStatus extends InboxConsumerEdgeStatus {
  /**
   * Outcomes since start (`charged`, `unpriced`, `held`, `duplicate`, `deadLettered`), and
   * `awaitingDirectory`: refusals of usage whose unit or use case billing did not know yet (one
   * per attempt; the record is retried, not lost).
   */
  counts: Record<UsageOutcome | 'deadLettered' | 'awaitingDirectory', number>;
  /**
   * Partitions held up by a usage that waits for allocation's events (DirectoryBehindError),
   * by partition; cleared when a record of that partition applies. Empty when none.
   */
  awaitingDirectory: AwaitingDirectory[];
}

/** A usage refused (and retried) because the directory is behind, as last seen on its partition. */
export interface AwaitingDirectory extends DirectoryBehindDetails {
  partition: number;
  offset: string;
  /** The refusal, as the consumers' `lastError`s are shown. */
  lastError: { code: string; message: string };
  /** Refusals of this record by this instance. */
  attempts: number;
  firstRefusedAt: string;
  lastRefusedAt: string;
}

type UsageOutcome = 'charged' | 'unpriced' | 'held' | 'duplicate';

/**
 * A refusal of the record itself never passes on retry: data that breaks the contract, an
 * adjustment of a usage billing never received (`BILLING.UNKNOWN_USAGE`), any billing refusal,
 * data the ledger or PostgreSQL refuses (see isPermanentDataFailure). Anything else (database
 * unavailable, `LEDGER.CONCURRENCY`, serialization, deadlock, and `BILLING.DIRECTORY_BEHIND`: a
 * usage whose unit or use case the allocation consumer has not brought yet) is retried.
 */
export function isPermanentUsageFailure(error: unknown): boolean {
  // Billing is behind allocation, not refusing the record: retried until the directory knows it.
  if (error instanceof DirectoryBehindError) return false;
  return error instanceof BillingError || isPermanentDataFailure(error);
}

@Injectable()
export class UsageRecordedConsumer extends InboxConsumer {
  readonly topic: string;
  readonly groupId: string;
  protected readonly edge: InboxConsumerEdge;
  protected readonly autoStart: boolean;
  /** Parsed by the inbox key function, read back by the handler: each record is decoded once. */
  private readonly parsed = new WeakMap<KafkaMessage, UsageTopicMessage>();
  private readonly counts: UsageRecordedConsumerStatus['counts'] = {
    charged: 0,
    unpriced: 0,
    held: 0,
    duplicate: 0,
    deadLettered: 0,
    awaitingDirectory: 0,
  };
  private readonly awaiting = new Map<number, AwaitingDirectory>();
  /** A record's outcome, counted once its inbox transaction has committed (onApplied). */
  private readonly outcomes = new WeakMap<KafkaMessage, UsageOutcome>();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly charging: UsageCharging,
    deadLetters: DeadLetters,
    @Inject(BILLING_MESSAGING_SETTINGS) settings: BillingMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    super();
    this.topic = settings.usageRecordedTopic;
    this.groupId = settings.usageGroupId;
    this.autoStart = settings.autoStart;
    this.edge = createInboxConsumerEdge(
      {
        store,
        schema: settings.schema,
        clients,
        logger,
        transport,
        retry: settings.startRetry,
      },
      {
        name: 'billing usage.recorded consumer',
        loggerContext: 'BillingUsageRecordedConsumer',
        enabled: settings.enable.usageConsumer,
        topic: this.topic,
        groupId: this.groupId,
        // Every recorded usage must be charged: a new group reads the topic from its start.
        fromBeginning: true,
        consumerConfig: settings.consumerConfig,
        messageId: (message) => this.read(message).messageId,
        handle: (delivery, tx) => this.apply(delivery, tx),
        isPermanentFailure: isPermanentUsageFailure,
        onApplied: (delivery) => this.count(delivery.message),
        onInvalidMessage: deadLetterInto(deadLetters, this.groupId, () => {
          this.counts.deadLettered += 1;
        }),
      },
    );
  }

  status(): UsageRecordedConsumerStatus {
    return {
      ...this.edge.status(),
      counts: { ...this.counts },
      awaitingDirectory: [...this.awaiting.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((entry) => ({ ...entry, unknownUnitIds: [...entry.unknownUnitIds] })),
    };
  }

  /**
   * A usage billing cannot charge yet (its unit or use case has not arrived on the allocation
   * consumer): logged at warn on every attempt and kept in the status until the partition moves.
   */
  private noteAwaiting(delivery: InboxKafkaMessage, error: DirectoryBehindError): void {
    const now = new Date().toISOString();
    const offset = delivery.message.offset;
    const previous = this.awaiting.get(delivery.partition);
    const same = previous?.usageId === error.details.usageId && previous.offset === offset;
    this.counts.awaitingDirectory += 1;
    this.awaiting.set(delivery.partition, {
      ...error.details,
      partition: delivery.partition,
      offset,
      lastError: { code: error.code, message: error.message },
      attempts: same ? previous.attempts + 1 : 1,
      firstRefusedAt: same ? previous.firstRefusedAt : now,
      lastRefusedAt: now,
    });
    this.logger.write(
      'warn',
      'usage waits for allocation events (unit or use case not known to billing yet); retrying',
      {
        ...error.details,
        partition: delivery.partition,
        offset,
        attempt: same ? previous.attempts + 1 : 1,
        code: error.code,
      },
      'BillingUsageRecordedConsumer',
    );
  }

  private count(message: KafkaMessage): void {
    const outcome = this.outcomes.get(message);
    if (outcome === undefined) return;
    this.outcomes.delete(message);
    this.counts[outcome] += 1;
  }

  private read(message: KafkaMessage): UsageTopicMessage {
    const known = this.parsed.get(message);
    if (known !== undefined) return known;
    const parsed = readUsageTopicMessage(message);
    this.parsed.set(message, parsed);
    return parsed;
  }

  private async apply(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void> {
    const record = this.read(delivery.message);
    let outcome: UsageOutcome;
    try {
      outcome =
        record.kind === 'recorded'
          ? await this.charging.recordUsage(tx, record.messageId, record.usage, CONTEXT)
          : await this.charging.adjustUsage(tx, record.messageId, record.adjustment, CONTEXT);
    } catch (error) {
      if (error instanceof DirectoryBehindError) this.noteAwaiting(delivery, error);
      throw error;
    }
    this.awaiting.delete(delivery.partition);
    // Counted by onApplied once the inbox transaction commits: it may still roll back (a later
    // record of its chunk fails, a retry), and a rolled-back charge must not count.
    this.outcomes.set(delivery.message, outcome);
    this.logger.write(
      'debug',
      `${record.kind === 'recorded' ? 'usage' : 'adjustment'} ${outcome}`,
      {
        messageId: record.messageId,
        partition: delivery.partition,
        offset: delivery.message.offset,
      },
      'BillingUsageRecordedConsumer',
    );
  }
}
