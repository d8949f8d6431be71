// Learns from allocation's public events what billing needs: the unit tree (currency and cost
// centre inheritance, statements), use cases' usefulness classes (multipliers), and debits that
// went over the allocation (surcharges). Inbox consumer: each CloudEvent (source#id) is applied
// once, in the inbox transaction. Types billing does not read are acknowledged without effect.
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  CloudEventValidationError,
  allocationEventNameV1,
  decodeKafkaMessage,
  parseAllocationEventV1,
  type AllocationEventNameV1,
  type AllocationEventV1,
} from '@plafond/contracts';
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
import { BillingDirectory } from '../application/directory';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { isPermanentDataFailure } from './permanent-failure';
import { BILLING_MESSAGING_SETTINGS, type BillingMessagingSettings } from './messaging.options';

/** `metadata.actor` of every event an allocation event causes. */
export const ALLOCATION_EVENTS_ACTOR = 'kafka:allocation.events';
const CONTEXT: CommandContext = { actor: ALLOCATION_EVENTS_ACTOR };

/** The allocation events billing keeps (the rest is acknowledged without effect). */
export const BILLING_ALLOCATION_EVENTS: readonly AllocationEventNameV1[] = [
  'UnitCreated',
  'UnitRenamed',
  'UnitMoved',
  'UnitArchived',
  'UseCaseRegistered',
  'UseCaseReclassified',
  'UseCaseRetired',
  'UsageDebited',
  'OverrunRecorded',
];

export interface AllocationEventsConsumerStatus extends InboxConsumerEdgeStatus {
  /** Since start: events applied, acknowledged without effect, dead-lettered. */
  counts: { applied: number; ignored: number; deadLettered: number };
}

/**
 * A refusal no retry can fix: the record's data breaks the contract (BILLING.INVALID_MESSAGE),
 * an overrun without its debit (BILLING.UNKNOWN_USAGE), any other billing refusal, or data the
 * ledger or PostgreSQL refuses (NUL characters, oversized ids: see isPermanentDataFailure).
 */
export function isPermanentAllocationFailure(error: unknown): boolean {
  return (
    error instanceof BillingError ||
    error instanceof CloudEventValidationError ||
    isPermanentDataFailure(error)
  );
}

@Injectable()
export class AllocationEventsConsumer extends InboxConsumer {
  readonly topic: string;
  readonly groupId: string;
  protected readonly edge: InboxConsumerEdge;
  protected readonly autoStart: boolean;
  private readonly counts = { applied: 0, ignored: 0, deadLettered: 0 };
  /** A record's outcome, counted once its inbox transaction has committed (onApplied). */
  private readonly outcomes = new WeakMap<KafkaMessage, 'applied' | 'ignored'>();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly directory: BillingDirectory,
    private readonly charging: UsageCharging,
    deadLetters: DeadLetters,
    @Inject(BILLING_MESSAGING_SETTINGS) settings: BillingMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    super();
    this.topic = settings.allocationEventsTopic;
    this.groupId = settings.allocationGroupId;
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
        name: 'billing allocation events consumer',
        loggerContext: 'BillingAllocationEventsConsumer',
        enabled: settings.enable.allocationConsumer,
        topic: this.topic,
        groupId: this.groupId,
        // Every unit, use case and debit matters: a new group reads the topic from its start.
        fromBeginning: true,
        consumerConfig: settings.consumerConfig,
        handle: (delivery, tx) => this.apply(delivery, tx),
        isPermanentFailure: isPermanentAllocationFailure,
        onApplied: (delivery) => this.count(delivery.message),
        onInvalidMessage: deadLetterInto(deadLetters, this.groupId, () => {
          this.counts.deadLettered += 1;
        }),
      },
    );
  }

  status(): AllocationEventsConsumerStatus {
    return { ...this.edge.status(), counts: { ...this.counts } };
  }

  private count(message: KafkaMessage): void {
    const outcome = this.outcomes.get(message);
    if (outcome === undefined) return;
    this.outcomes.delete(message);
    this.counts[outcome] += 1;
  }

  private async apply(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void> {
    const event = decodeKafkaMessage(delivery.message);
    const parsed = parseAllocationEventV1(event);
    if (!parsed.ok) {
      // A type this consumer does not know (new types may appear on the topic), or one it does
      // not read: acknowledged. Broken data of an event billing reads: a dead letter.
      const name = allocationEventNameV1(event.type);
      if (name === null || !BILLING_ALLOCATION_EVENTS.includes(name)) {
        this.outcomes.set(delivery.message, 'ignored');
        return;
      }
      throw new BillingError(BILLING_ERROR.INVALID_MESSAGE, `invalid ${event.type} data`, {
        reason: 'invalid_data',
        type: event.type,
        issues: parsed.issues.map(({ path, code, message }) => ({ path, code, message })),
      });
    }
    const applied = await this.applyEvent(tx, parsed.value);
    // Counted by onApplied once the inbox transaction commits (it may still roll back).
    this.outcomes.set(delivery.message, applied ? 'applied' : 'ignored');
    this.logger.write(
      'debug',
      applied ? 'allocation event applied' : 'allocation event acknowledged without effect',
      { type: event.type, id: event.id, offset: delivery.message.offset },
      'BillingAllocationEventsConsumer',
    );
  }

  private async applyEvent(
    tx: TransactionalEventStore,
    event: AllocationEventV1,
  ): Promise<boolean> {
    if (!BILLING_ALLOCATION_EVENTS.includes(event.name)) return false;
    if (event.name !== 'OverrunRecorded')
      return this.directory.applyAllocationEvent(tx.sql, event.name, event.data);
    const { usageId, unitId, budgetId } = event.data;
    // UsageDebited precedes OverrunRecorded in the same append, on the same key (the unit).
    const debit = await this.directory.debitOf(tx.sql, usageId, budgetId);
    if (debit === null) {
      throw new BillingError(
        BILLING_ERROR.UNKNOWN_USAGE,
        `an overrun of usage ${usageId} on budget ${budgetId} without its UsageDebited`,
        { usageId, budgetId },
      );
    }
    await this.charging.recordOverrun(
      tx,
      {
        usageId,
        unitId,
        budgetId,
        usageAmount: debit.usageAmount.toString(),
        overrunAmount: event.data.amount,
        overrunAfter: event.data.overrun,
        allocated: event.data.allocated,
      },
      CONTEXT,
    );
    return true;
  }
}
