// Charging: usage, adjustments and overruns become lines on the usage's own stream
// (`usage-<h>`), called by the consumers inside their inbox transaction. Every method is
// idempotent: what the stream already holds is recognised (and every event id is derived from
// what it is about, so even a slipped duplicate is refused by the ledger).
import { Inject, Injectable } from '@nestjs/common';
import {
  INGESTION_EVENTS_SOURCE,
  type UsageAdjustedV1Json,
  type UsageRecordedV1,
} from '@plafond/contracts';
import {
  LedgerIdempotencyConflictError,
  PostgresEventStore,
  RetryUnitOfWork,
  type RecordedEvent,
  type SqlExecutor,
  type TransactionalEventStore,
} from '@plafond/ledger';
import type {
  BillingEvent,
  JournalAccountsData,
  OverrunNotedData,
  OverrunSurchargeChargedData,
  UsageAdjustmentChargedData,
  UsageChargedData,
  UsageFactData,
  UsageHeldUnpricedData,
} from '../domain/billing.events';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { periodOf } from '../domain/periods';
import { selectSchedule, type PriceSchedule } from '../domain/price-schedule';
import {
  priceAdjustment,
  priceOverrunSurcharge,
  priceUsage,
  type Quantities,
} from '../domain/pricing';
import { appendAndProject, type BillingEventToAppend } from './books-writer';
import { CLOCK, type Clock } from './clock';
import type { CommandContext } from './command-context';
import { BillingDirectory } from './directory';
import { DirectoryBehindError } from './directory-behind.error';
import { BillingPeriods } from './periods.service';
import { BillingProfiles } from './profiles.service';
import { loadScheduleVersion, loadSchedules } from './schedule-store';
import { BILLING_SETTINGS, type BillingSettings } from './settings';
import { eventIds, eventMetadata, lockCurrency, usageStreamId } from './streams';

/** Actor of what the consumers book (no caller behind a Kafka record). */
export const CONSUMER_CONTEXT: CommandContext = { actor: 'service:billing-consumer' };

/** The usage id billing gives the usage an adjustment refers to (the usage.recorded inbox key). */
export const adjustedUsageId = (adjustment: UsageAdjustedV1Json): string =>
  `${INGESTION_EVENTS_SOURCE}#${adjustment.recordedEventId}`;

/** What a usage stream says, folded. */
export interface UsageStreamState {
  readonly usageId: string;
  readonly version: bigint;
  readonly eventIds: ReadonlySet<string>;
  /** The latest UsageHeldUnpriced, while the usage is not charged. */
  readonly held: UsageHeldUnpricedData | null;
  readonly charged: UsageChargedData | null;
  /** Current quantities (after adjustments). */
  readonly current: Quantities | null;
  /** Overruns noted and not surcharged yet, by budget id. */
  readonly pendingOverruns: ReadonlyMap<string, OverrunNotedData>;
}

export function foldUsageStream(
  usageId: string,
  events: readonly RecordedEvent<BillingEvent>[],
): UsageStreamState {
  let held: UsageHeldUnpricedData | null = null;
  let charged: UsageChargedData | null = null;
  let current: Quantities | null = null;
  const pending = new Map<string, OverrunNotedData>();
  const ids = new Set<string>();
  let version = 0n;
  for (const event of events) {
    ids.add(event.eventId);
    version = event.streamVersion;
    switch (event.type) {
      case 'UsageHeldUnpriced':
        held = event.data;
        current = quantities(event.data);
        break;
      case 'UsageCharged':
        held = null;
        charged = event.data;
        current = quantities(event.data);
        break;
      case 'UsageAdjustmentCharged':
        current = quantities(event.data);
        break;
      case 'OverrunNoted':
        pending.set(event.data.budgetId, event.data);
        break;
      case 'OverrunSurchargeCharged':
        pending.delete(event.data.budgetId);
        break;
      default:
        break;
    }
  }
  return {
    usageId,
    version,
    eventIds: ids,
    held,
    charged,
    current,
    pendingOverruns: pending,
  };
}

function quantities(data: { energyMicroWh: string; carbonMicroGrams: string }): Quantities {
  return {
    energyMicroWh: BigInt(data.energyMicroWh),
    carbonMicroGrams: BigInt(data.carbonMicroGrams),
  };
}

const overrunFigures = (o: OverrunNotedData) => ({
  usageAmount: BigInt(o.usageAmount),
  overrunAmount: BigInt(o.overrunAmount),
  overrunAfter: BigInt(o.overrunAfter),
  allocated: BigInt(o.allocated),
});

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

@Injectable()
export class UsageCharging {
  private readonly schema: string;
  private readonly accounts: JournalAccountsData;
  /**
   * Reads that the usages charged in one transaction (a consumer's chunk of records) share, done
   * once per transaction and only under a lock the transaction keeps to its end: a currency's
   * price schedules (under the currency's shared lock; publishing takes it exclusively) and a
   * booking (under the billing period's shared lock; closing takes it exclusively). Keyed by the
   * transaction's SQL executor: a retried attempt starts afresh.
   */
  private readonly lockedReads = new WeakMap<object, Map<string, Promise<unknown>>>();

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BILLING_SETTINGS) settings: BillingSettings,
    @Inject(BillingDirectory) private readonly directory: BillingDirectory,
    @Inject(BillingProfiles) private readonly profiles: BillingProfiles,
    @Inject(BillingPeriods) private readonly periods: BillingPeriods,
  ) {
    this.schema = settings.readModelSchema;
    this.accounts = {
      expense: settings.expenseAccount,
      carbonFund: settings.carbonFundAccount,
    };
  }

  /** The usage's stream, folded (outside a transaction: in one of its own). */
  async usageState(usageId: string, tx?: TransactionalEventStore): Promise<UsageStreamState> {
    if (tx === undefined) return this.store.transaction((own) => this.usageState(usageId, own));
    const events = await tx.readStream<BillingEvent>(usageStreamId(usageId));
    return foldUsageStream(usageId, events);
  }

  /**
   * A recorded usage: charged at the schedule of the unit's currency effective at occurredAt
   * (with any overrun surcharges noted before it), or held unpriced when there is none.
   * 'duplicate' when the usage was already recorded. DirectoryBehindError (retryable, nothing
   * written) while the unit, an ancestor or the use case is not in the directory yet.
   */
  async recordUsage(
    tx: TransactionalEventStore,
    usageId: string,
    usage: UsageRecordedV1,
    ctx: CommandContext = CONSUMER_CONTEXT,
  ): Promise<'charged' | 'unpriced' | 'duplicate'> {
    const state = await this.usageState(usageId, tx);
    if (state.held !== null || state.charged !== null) return 'duplicate';
    const usefulnessClass = await this.knownClassAndChain(tx.sql, usageId, usage);
    const profile = await this.profiles.resolve(tx.sql, usage.unitId);
    const occurredAt = new Date(usage.occurredAt).toISOString();
    const fact: UsageFactData = {
      usageId,
      unitId: usage.unitId,
      useCase: usage.useCase,
      usefulnessClass,
      model: usage.model ?? null,
      occurredAt,
      servicePeriod: periodOf(occurredAt),
      requests: usage.requests.toString(),
      energyMicroWh: usage.energyMicroWh.toString(),
      carbonMicroGrams: usage.carbonMicroGrams.toString(),
      factorSetVersion: usage.factorSetVersion,
    };
    const schedules = await this.lockedRead(
      tx.sql,
      `schedules\u0000${profile.currency}`,
      async () => {
        await lockCurrency(tx.sql, this.schema, profile.currency, 'shared');
        return loadSchedules(tx, profile.currency);
      },
    );
    const schedule = selectSchedule(schedules, new Date(occurredAt));
    if (schedule === null) {
      const held: UsageHeldUnpricedData = {
        ...fact,
        currency: profile.currency,
        reasonCode: BILLING_ERROR.NO_PRICE_SCHEDULE,
      };
      return (await this.append(tx, usageId, state.version, [
        {
          type: 'UsageHeldUnpriced',
          data: held,
          eventId: eventIds.held(usageId, state.version + 1n),
          metadata: eventMetadata(ctx, fact.unitId),
        },
      ]))
        ? 'unpriced'
        : 'duplicate';
    }
    const events = await this.chargeEvents(
      tx.sql,
      ctx,
      fact,
      schedule,
      profile.currency,
      profile.costCentre,
      [...state.pendingOverruns.values()],
    );
    return (await this.append(tx, usageId, state.version, events)) ? 'charged' : 'duplicate';
  }

  /**
   * A re-rating from ingestion (usage.adjusted): a credit or debit note at the original line's
   * schedule version and multiplier, or, for held usage, the held quantities updated ('held').
   * BILLING.UNKNOWN_USAGE when billing never recorded the usage (permanent: dead letter).
   */
  async adjustUsage(
    tx: TransactionalEventStore,
    adjustmentId: string,
    adjustment: UsageAdjustedV1Json,
    ctx: CommandContext = CONSUMER_CONTEXT,
  ): Promise<'charged' | 'held' | 'duplicate'> {
    const usageId = adjustedUsageId(adjustment);
    const state = await this.usageState(usageId, tx);
    if (state.current === null || (state.held === null && state.charged === null))
      throw new BillingError(
        BILLING_ERROR.UNKNOWN_USAGE,
        `usage ${usageId} was never recorded by billing`,
        { usageId, adjustmentId },
      );
    const eventId = eventIds.adjusted(usageId, adjustmentId);
    if (state.eventIds.has(eventId)) return 'duplicate';
    const energyDelta = BigInt(adjustment.energyDeltaMicroWh);
    const carbonDelta = BigInt(adjustment.carbonDeltaMicroGrams);
    const before = state.current;
    const after: Quantities = {
      energyMicroWh: before.energyMicroWh + energyDelta,
      carbonMicroGrams: before.carbonMicroGrams + carbonDelta,
    };
    const charged = state.charged;
    if (charged === null) {
      const held = state.held as UsageHeldUnpricedData;
      await lockCurrency(tx.sql, this.schema, held.currency, 'shared');
      return (await this.append(tx, usageId, state.version, [
        {
          type: 'UsageHeldUnpriced',
          data: {
            ...held,
            energyMicroWh: after.energyMicroWh.toString(),
            carbonMicroGrams: after.carbonMicroGrams.toString(),
            factorSetVersion: adjustment.toFactorSetVersion,
          },
          eventId,
          metadata: eventMetadata(ctx, held.unitId, { adjustmentId }),
        },
      ]))
        ? 'held'
        : 'duplicate';
    }
    const schedule = await this.scheduleOf(tx, charged);
    const multiplierPpm = BigInt(charged.multiplierPpm);
    const amount = priceAdjustment(schedule, multiplierPpm, before, after);
    const booking = await this.bookOnLine(tx.sql, charged);
    const data: UsageAdjustmentChargedData = {
      lineId: eventId,
      billingPeriod: booking.billingPeriod,
      adjustsInvoice: booking.adjustsInvoice,
      currency: charged.currency,
      costCentre: charged.costCentre,
      scheduleVersion: charged.scheduleVersion,
      multiplierPpm: charged.multiplierPpm,
      amountMicro: amount.toString(),
      bookedAt: this.clock().toISOString(),
      accounts: this.accounts,
      usageId,
      unitId: charged.unitId,
      useCase: charged.useCase,
      usefulnessClass: charged.usefulnessClass,
      model: charged.model,
      servicePeriod: charged.servicePeriod,
      adjustmentId,
      fromFactorSetVersion: adjustment.fromFactorSetVersion,
      toFactorSetVersion: adjustment.toFactorSetVersion,
      energyDeltaMicroWh: energyDelta.toString(),
      carbonDeltaMicroGrams: carbonDelta.toString(),
      energyMicroWh: after.energyMicroWh.toString(),
      carbonMicroGrams: after.carbonMicroGrams.toString(),
      note: amount < 0n ? 'credit' : 'debit',
    };
    return (await this.append(tx, usageId, state.version, [
      {
        type: 'UsageAdjustmentCharged',
        data,
        eventId,
        metadata: eventMetadata(ctx, charged.unitId, { adjustmentId }),
      },
    ]))
      ? 'charged'
      : 'duplicate';
  }

  /**
   * An overrun from allocation (UsageDebited + OverrunRecorded of one usage and budget). On a
   * charged usage: an OverrunSurchargeCharged line (OverrunNoted when its schedule has no tiers);
   * otherwise OverrunNoted, charged when the usage is.
   */
  async recordOverrun(
    tx: TransactionalEventStore,
    overrun: OverrunNotedData,
    ctx: CommandContext = CONSUMER_CONTEXT,
  ): Promise<'charged' | 'noted' | 'duplicate'> {
    const { usageId, budgetId } = overrun;
    const state = await this.usageState(usageId, tx);
    if (
      state.eventIds.has(eventIds.overrunNoted(usageId, budgetId)) ||
      state.eventIds.has(eventIds.surcharge(usageId, budgetId))
    )
      return 'duplicate';
    const noted: BillingEventToAppend = {
      type: 'OverrunNoted',
      data: overrun,
      eventId: eventIds.overrunNoted(usageId, budgetId),
      metadata: eventMetadata(ctx, overrun.unitId),
    };
    const charged = state.charged;
    if (charged === null) {
      return (await this.append(tx, usageId, state.version, [noted])) ? 'noted' : 'duplicate';
    }
    const schedule = await this.scheduleOf(tx, charged);
    const booking = await this.bookOnLine(tx.sql, charged);
    const surcharge = this.surchargeEvent(ctx, charged, schedule, overrun, booking, this.clock());
    if (surcharge === null) {
      return (await this.append(tx, usageId, state.version, [noted])) ? 'noted' : 'duplicate';
    }
    return (await this.append(tx, usageId, state.version, [surcharge])) ? 'charged' : 'duplicate';
  }

  /**
   * Prices a held usage under `versions` (the currency's schedules, the one being published
   * included): UsageCharged plus its pending surcharges. False when it is not held any more or
   * still not covered. Called by PriceSchedules.publish under the currency's exclusive lock.
   */
  async priceHeld(
    tx: TransactionalEventStore,
    usageId: string,
    versions: readonly PriceSchedule[],
    ctx: CommandContext,
  ): Promise<boolean> {
    const state = await this.usageState(usageId, tx);
    const held = state.held;
    if (held === null || state.charged !== null) return false;
    const schedule = selectSchedule(versions, new Date(held.occurredAt));
    if (schedule === null || schedule.currency !== held.currency) return false;
    const profile = await this.profiles.resolve(tx.sql, held.unitId);
    const { currency, reasonCode, ...fact } = held;
    void reasonCode;
    const usefulnessClass =
      (await this.directory.usefulnessClassOf(tx.sql, held.useCase)) ?? held.usefulnessClass;
    const events = await this.chargeEvents(
      tx.sql,
      ctx,
      { ...fact, usefulnessClass },
      schedule,
      currency,
      profile.costCentre,
      [...state.pendingOverruns.values()],
    );
    return this.append(tx, usageId, state.version, events);
  }

  /**
   * The use case's class, once billing knows the use case and the unit's whole chain to its
   * root. Before that, a charge would silently take the default multiplier or the default
   * profile (D10: usage is charged on what allocation said, never on a guess): refused with the
   * retryable DirectoryBehindError, which rolls the inbox transaction back for a later retry.
   */
  private async knownClassAndChain(
    sql: SqlExecutor,
    usageId: string,
    usage: UsageRecordedV1,
  ): Promise<string> {
    const usefulnessClass = await this.directory.usefulnessClassOf(sql, usage.useCase);
    const unknownUnitIds = await this.directory.unknownInChain(sql, usage.unitId);
    if (usefulnessClass !== null && unknownUnitIds.length === 0) return usefulnessClass;
    throw new DirectoryBehindError({
      usageId,
      unitId: usage.unitId,
      useCase: usage.useCase,
      unknownUnitIds,
      unknownUseCase: usefulnessClass === null ? usage.useCase : null,
    });
  }

  /** `load` once per transaction and key (see `lockedReads`: only what a held lock keeps still). */
  private lockedRead<T>(sql: SqlExecutor, key: string, load: () => Promise<T>): Promise<T> {
    let reads = this.lockedReads.get(sql);
    if (reads === undefined) {
      reads = new Map();
      this.lockedReads.set(sql, reads);
    }
    let read = reads.get(key) as Promise<T> | undefined;
    if (read === undefined) {
      read = load();
      reads.set(key, read);
    }
    return read;
  }

  private async chargeEvents(
    sql: SqlExecutor,
    ctx: CommandContext,
    fact: UsageFactData,
    schedule: PriceSchedule,
    currency: string,
    costCentre: string,
    pending: readonly OverrunNotedData[],
  ): Promise<BillingEventToAppend[]> {
    const booking = await this.lockedRead(
      sql,
      `booking\u0000${fact.unitId}\u0000${currency}\u0000${fact.servicePeriod}`,
      () => this.periods.book(sql, fact.unitId, currency, fact.servicePeriod),
    );
    const bookedAt = this.clock();
    const { amountMicro, multiplierPpm } = priceUsage(
      schedule,
      quantities(fact),
      fact.usefulnessClass,
    );
    const lineId = eventIds.charged(fact.usageId);
    const charged: UsageChargedData = {
      ...fact,
      lineId,
      billingPeriod: booking.billingPeriod,
      adjustsInvoice: booking.adjustsInvoice,
      currency,
      costCentre,
      scheduleVersion: schedule.version,
      multiplierPpm: multiplierPpm.toString(),
      amountMicro: amountMicro.toString(),
      bookedAt: bookedAt.toISOString(),
      accounts: this.accounts,
    };
    const events: BillingEventToAppend[] = [
      {
        type: 'UsageCharged',
        data: charged,
        eventId: lineId,
        metadata: eventMetadata(ctx, fact.unitId),
      },
    ];
    for (const overrun of [...pending].sort((a, b) => compareText(a.budgetId, b.budgetId))) {
      const surcharge = this.surchargeEvent(ctx, charged, schedule, overrun, booking, bookedAt);
      if (surcharge !== null) events.push(surcharge);
    }
    return events;
  }

  /** The surcharge line of one (usage, budget), null when the schedule has no tiers. */
  private surchargeEvent(
    ctx: CommandContext,
    charged: UsageChargedData,
    schedule: PriceSchedule,
    overrun: OverrunNotedData,
    booking: { billingPeriod: string; adjustsInvoice: string | null },
    bookedAt: Date,
  ): BillingEventToAppend | null {
    const priced = priceOverrunSurcharge(
      schedule,
      BigInt(charged.multiplierPpm),
      quantities(charged),
      overrunFigures(overrun),
    );
    if (priced === null) return null;
    const lineId = eventIds.surcharge(charged.usageId, overrun.budgetId);
    const data: OverrunSurchargeChargedData = {
      ...overrun,
      lineId,
      billingPeriod: booking.billingPeriod,
      adjustsInvoice: booking.adjustsInvoice,
      currency: charged.currency,
      costCentre: charged.costCentre,
      scheduleVersion: charged.scheduleVersion,
      multiplierPpm: charged.multiplierPpm,
      amountMicro: priced.amountMicro.toString(),
      bookedAt: bookedAt.toISOString(),
      accounts: this.accounts,
      useCase: charged.useCase,
      usefulnessClass: charged.usefulnessClass,
      model: charged.model,
      servicePeriod: charged.servicePeriod,
      tiers: priced.tiers.map((tier) => ({
        overrun: tier.overrun.toString(),
        surchargePpm: tier.surchargePpm.toString(),
      })),
    };
    return {
      type: 'OverrunSurchargeCharged',
      data,
      eventId: lineId,
      metadata: eventMetadata(ctx, charged.unitId),
    };
  }

  /**
   * Where a note or surcharge on an already charged usage line is booked. Once that line is on a
   * closed invoice, the new line adjusts THAT invoice: for usage billed late it is not the
   * service period's invoice (which never contained the line).
   */
  private async bookOnLine(
    sql: SqlExecutor,
    charged: UsageChargedData,
  ): Promise<{ billingPeriod: string; adjustsInvoice: string | null }> {
    const booking = await this.periods.book(
      sql,
      charged.unitId,
      charged.currency,
      charged.servicePeriod,
    );
    // Read under the booking's lock: a close of the line's period has committed, or waits.
    const [line] = await sql.query<{ invoice_number: string | null }>(
      `SELECT invoice_number FROM "${this.schema}".charge_lines WHERE line_id = $1`,
      [charged.lineId],
    );
    const invoiced = line?.invoice_number ?? null;
    return invoiced === null ? booking : { ...booking, adjustsInvoice: invoiced };
  }

  private async scheduleOf(
    tx: TransactionalEventStore,
    charged: UsageChargedData,
  ): Promise<PriceSchedule> {
    const schedule = await loadScheduleVersion(tx, charged.currency, charged.scheduleVersion);
    if (schedule === null)
      throw new Error(
        `price schedule ${charged.currency} v${charged.scheduleVersion} of line ${charged.lineId} is missing`,
      );
    return schedule;
  }

  /**
   * Appends at the version the decision was made on. A derived id already taken means another
   * transaction recorded the same fact concurrently (e.g. a redelivery under another consumer):
   * the unit of work is run again, and then finds it in the stream ('duplicate'). False when
   * the very same events were there already (same ids and content): the caller's 'duplicate'.
   */
  private async append(
    tx: TransactionalEventStore,
    usageId: string,
    version: bigint,
    events: readonly BillingEventToAppend[],
  ): Promise<boolean> {
    try {
      const recorded = await appendAndProject(tx, usageStreamId(usageId), events, {
        expectedVersion: version,
        schema: this.schema,
      });
      // [] = an idempotent replay: a concurrent transaction wrote exactly these events.
      return recorded.length > 0;
    } catch (error) {
      if (error instanceof LedgerIdempotencyConflictError)
        throw new RetryUnitOfWork(`usage ${usageId} was written concurrently: ${error.message}`);
      throw error;
    }
  }
}
