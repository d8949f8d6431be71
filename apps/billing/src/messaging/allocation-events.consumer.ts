// Learns from allocation's public events what billing needs: the unit tree (currency and cost
// centre inheritance, statements), use cases' usefulness classes (multipliers), and debits that
// went over the allocation (surcharges). Inbox consumer: each CloudEvent (source#id) is applied
// once, in the inbox transaction. Types billing does not read are acknowledged without effect.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
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
  Inbox,
  createInboxKafkaConsumer,
  type EventStore,
  type InboxKafkaConsumer,
  type InboxKafkaMessage,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  BackgroundStart,
  JsonLogger,
  KafkaClients,
  subscriptionLogger,
  type EdgeStatus,
} from '@plafond/platform';
import { UsageCharging } from '../application/charging.service';
import type { CommandContext } from '../application/command-context';
import { BillingDirectory } from '../application/directory';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { DeadLetters } from './dead-letters';
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

export interface AllocationEventsConsumerStatus extends EdgeStatus {
  enabled: boolean;
  topic: string;
  groupId: string;
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
export class AllocationEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly topic: string;
  readonly groupId: string;
  private readonly inboxConsumer: InboxKafkaConsumer | null;
  private readonly starter: BackgroundStart | null;
  private readonly counts = { applied: 0, ignored: 0, deadLettered: 0 };

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly directory: BillingDirectory,
    private readonly charging: UsageCharging,
    private readonly deadLetters: DeadLetters,
    @Inject(BILLING_MESSAGING_SETTINGS) private readonly settings: BillingMessagingSettings,
  ) {
    this.topic = settings.allocationEventsTopic;
    this.groupId = settings.allocationGroupId;
    if (!settings.enable.allocationConsumer) {
      this.inboxConsumer = null;
      this.starter = null;
      return;
    }
    const inboxConsumer = createInboxKafkaConsumer({
      consumer: clients.consumer({ ...settings.consumerConfig, groupId: this.groupId }),
      groupId: this.groupId,
      topics: [this.topic],
      // Every unit, use case and debit ever published matters: a new group reads from the start.
      fromBeginning: true,
      inbox: new Inbox({ store, schema: settings.schema }),
      handle: (delivery, tx) => this.apply(delivery, tx),
      onInvalidMessage: (delivery, error) => this.deadLetter(delivery, error),
      isPermanentFailure: isPermanentAllocationFailure,
      logger: subscriptionLogger(logger, 'BillingAllocationEventsConsumer'),
    });
    this.inboxConsumer = inboxConsumer;
    this.starter = new BackgroundStart({
      name: 'billing allocation events consumer',
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

  /** Joins the group in the background (retrying while the broker is unreachable). */
  start(): void {
    this.starter?.begin();
  }

  /** Finishes the record in hand, commits its offset and leaves the group. */
  async stop(): Promise<void> {
    await this.starter?.end();
  }

  status(): AllocationEventsConsumerStatus {
    const edge: EdgeStatus = this.starter?.status() ?? {
      state: 'idle',
      attempts: 0,
      lastError: undefined,
    };
    return {
      ...edge,
      enabled: this.starter !== null,
      topic: this.topic,
      groupId: this.groupId,
      counts: { ...this.counts },
    };
  }

  private async apply(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void> {
    const event = decodeKafkaMessage(delivery.message);
    const parsed = parseAllocationEventV1(event);
    if (!parsed.ok) {
      // A type this consumer does not know (new types may appear on the topic), or one it does
      // not read: acknowledged. Broken data of an event billing reads: a dead letter.
      const name = allocationEventNameV1(event.type);
      if (name === null || !BILLING_ALLOCATION_EVENTS.includes(name)) {
        this.counts.ignored += 1;
        return;
      }
      throw new BillingError(BILLING_ERROR.INVALID_MESSAGE, `invalid ${event.type} data`, {
        reason: 'invalid_data',
        type: event.type,
        issues: parsed.issues.map(({ path, code, message }) => ({ path, code, message })),
      });
    }
    const applied = await this.applyEvent(tx, parsed.value);
    if (applied) this.counts.applied += 1;
    else this.counts.ignored += 1;
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

  private async deadLetter(delivery: InboxKafkaMessage, error: unknown): Promise<void> {
    await this.deadLetters.record({
      consumer: this.groupId,
      topic: delivery.topic,
      partition: delivery.partition,
      message: delivery.message,
      error,
    });
    this.counts.deadLettered += 1;
  }
}
