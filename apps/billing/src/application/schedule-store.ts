// The versions of a currency's price schedule, read from its ledger stream (the authority; the
// `price_schedules` table of the read model is the same data for listings).
import type { TransactionalEventStore } from '@plafond/ledger';
import type { PriceSchedulePublishedData } from '../domain/billing.events';
import { scheduleFromData, type PriceSchedule } from '../domain/price-schedule';
import { scheduleStreamId } from './streams';

/** Every version of `currency`, in version order ([] when none was published). */
export async function loadSchedules(
  tx: TransactionalEventStore,
  currency: string,
): Promise<PriceSchedule[]> {
  const events = await tx.readStream<{
    type: 'PriceSchedulePublished';
    data: PriceSchedulePublishedData;
  }>(scheduleStreamId(currency));
  return events
    .filter((event) => event.type === 'PriceSchedulePublished')
    .map((event) => scheduleFromData(event.data));
}

/** The given version of `currency`, or null. */
export async function loadScheduleVersion(
  tx: TransactionalEventStore,
  currency: string,
  version: number,
): Promise<PriceSchedule | null> {
  return (await loadSchedules(tx, currency)).find((s) => s.version === version) ?? null;
}
