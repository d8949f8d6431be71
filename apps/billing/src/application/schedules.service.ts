// Price schedules, per currency, effective-dated, versions 1..n on stream price-schedule-<CUR>.
// Publishing takes the currency's advisory lock exclusive (charging takes it shared), appends the
// version, then prices in the same transaction every held usage of the currency it covers.
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, runUnitOfWork } from '@plafond/ledger';
import type { PriceSchedulePublishedData } from '../domain/billing.events';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import {
  checkPublication,
  CURRENCY_PATTERN,
  parsePriceScheduleInputOrThrow,
  scheduleFromData,
  scheduleToData,
  selectSchedule,
  type PriceSchedule,
} from '../domain/price-schedule';
import { appendAndProject } from './books-writer';
import { UsageCharging } from './charging.service';
import type { CommandContext } from './command-context';
import { BillingPeriods } from './periods.service';
import { loadSchedules } from './schedule-store';
import { BILLING_SETTINGS, type BillingSettings } from './settings';
import { eventIds, eventMetadata, lockClosing, lockCurrency, scheduleStreamId } from './streams';

export interface PublicationResult {
  readonly schedule: PriceSchedulePublishedData;
  /** Held (unpriced) usages this version priced in the same transaction. */
  readonly pricedHeldUsage: number;
}

@Injectable()
export class PriceSchedules {
  private readonly schema: string;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(BILLING_SETTINGS) settings: BillingSettings,
    @Inject(BillingPeriods) private readonly periods: BillingPeriods,
    @Inject(UsageCharging) private readonly charging: UsageCharging,
  ) {
    this.schema = settings.readModelSchema;
  }

  /**
   * Publishes the next version of the input's currency. Refuses BILLING.INVALID_SCHEDULE
   * (details.issues), SCHEDULE_NOT_AFTER_LATEST, SCHEDULE_IN_CLOSED_PERIOD.
   */
  async publish(input: unknown, ctx: CommandContext): Promise<PublicationResult> {
    const parsed = parsePriceScheduleInputOrThrow(input);
    return runUnitOfWork(this.store, async (tx) => {
      await lockCurrency(tx.sql, this.schema, parsed.currency, 'exclusive');
      // No close in flight while "not in a closed period" is checked (and until commit).
      await lockClosing(tx.sql, this.schema, 'exclusive');
      const versions = await loadSchedules(tx, parsed.currency);
      checkPublication(versions, parsed.effectiveFrom, await this.periods.closed(tx.sql));
      const schedule: PriceSchedule = { ...parsed, version: versions.length + 1 };
      const data = scheduleToData(schedule);
      await appendAndProject(
        tx,
        scheduleStreamId(schedule.currency),
        [
          {
            type: 'PriceSchedulePublished',
            data,
            eventId: eventIds.schedule(schedule.currency, schedule.version),
            metadata: eventMetadata(ctx, schedule.currency),
          },
        ],
        { expectedVersion: BigInt(versions.length), schema: this.schema },
      );
      const held = await tx.sql.query<{ usage_id: string }>(
        `SELECT usage_id FROM "${this.schema}".usage_facts
          WHERE status = 'unpriced' AND currency = $1 AND occurred_at >= $2
          ORDER BY occurred_at, usage_id COLLATE "C"`,
        [schedule.currency, schedule.effectiveFrom.toISOString()],
      );
      const all = [...versions, schedule];
      let pricedHeldUsage = 0;
      for (const row of held)
        if (await this.charging.priceHeld(tx, row.usage_id, all, ctx)) pricedHeldUsage += 1;
      return { schedule: data, pricedHeldUsage };
    });
  }

  /** Every version (of one currency, or all), by currency then version. */
  async list(currency?: string): Promise<PriceSchedulePublishedData[]> {
    if (currency !== undefined) this.checkCurrency(currency);
    const rows = await this.store.transaction((tx) =>
      tx.sql.query<{ data: PriceSchedulePublishedData | string }>(
        `SELECT data FROM "${this.schema}".price_schedules
          WHERE $1::text IS NULL OR currency = $1
          ORDER BY currency COLLATE "C", version`,
        [currency ?? null],
      ),
    );
    return rows.map((row) =>
      typeof row.data === 'string'
        ? (JSON.parse(row.data) as PriceSchedulePublishedData)
        : row.data,
    );
  }

  /** One version; BILLING.SCHEDULE_NOT_FOUND when it does not exist. */
  async get(currency: string, version: number): Promise<PriceSchedulePublishedData> {
    this.checkCurrency(currency);
    const found = (await this.list(currency)).find((s) => s.version === version);
    if (found === undefined)
      throw new BillingError(
        BILLING_ERROR.SCHEDULE_NOT_FOUND,
        `no price schedule ${currency} version ${version}`,
        { currency, version },
      );
    return found;
  }

  /** The version effective at `at`; BILLING.SCHEDULE_NOT_FOUND when none is effective yet. */
  async effectiveAt(currency: string, at: Date): Promise<PriceSchedulePublishedData> {
    this.checkCurrency(currency);
    const versions = await this.list(currency);
    const selected = selectSchedule(versions.map(scheduleFromData), at);
    if (selected === null)
      throw new BillingError(
        BILLING_ERROR.SCHEDULE_NOT_FOUND,
        `no price schedule of ${currency} is effective at ${at.toISOString()}`,
        { currency, at: at.toISOString() },
      );
    return scheduleToData(selected);
  }

  private checkCurrency(currency: string): void {
    if (!CURRENCY_PATTERN.test(currency))
      throw new BillingError(BILLING_ERROR.INVALID_QUERY, 'currency must be three capitals', {
        issues: [
          { path: 'currency', code: 'QUERY.INVALID_CURRENCY', message: 'must match ^[A-Z]{3}$' },
        ],
      });
  }
}
