// Billing periods are calendar months in UTC, keyed `YYYY-MM`.
import type { PeriodKey } from './billing.events';
import { BILLING_ERROR, BillingError } from './errors';

export const MIN_PERIOD_YEAR = 2000;
export const MAX_PERIOD_YEAR = 2999;

const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function keyOf(year: number, monthIndex: number): PeriodKey {
  return `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}`;
}

function split(key: PeriodKey): { year: number; monthIndex: number } {
  const match = PERIOD_PATTERN.exec(key);
  if (match === null) {
    throw new BillingError(BILLING_ERROR.INVALID_PERIOD, `not a period key (YYYY-MM): ${key}`, {
      period: key,
    });
  }
  return { year: Number(match[1]), monthIndex: Number(match[2]) - 1 };
}

/** The period (UTC month) an instant falls in. Throws BILLING.INVALID_PERIOD for an invalid date. */
export function periodOf(at: Date | string): PeriodKey {
  const date = typeof at === 'string' ? new Date(at) : at;
  const time = date.getTime();
  if (Number.isNaN(time)) {
    throw new BillingError(BILLING_ERROR.INVALID_PERIOD, 'not a valid instant', {
      at: typeof at === 'string' ? at : 'Invalid Date',
    });
  }
  return keyOf(date.getUTCFullYear(), date.getUTCMonth());
}

/** Validates `YYYY-MM` with a year in 2000–2999; throws BILLING.INVALID_PERIOD. */
export function parsePeriodKey(input: unknown): PeriodKey {
  if (typeof input !== 'string' || !PERIOD_PATTERN.test(input)) {
    throw new BillingError(BILLING_ERROR.INVALID_PERIOD, 'period must be YYYY-MM (e.g. 2026-11)', {
      period: typeof input === 'string' ? input.slice(0, 64) : typeof input,
    });
  }
  const { year } = split(input);
  if (year < MIN_PERIOD_YEAR || year > MAX_PERIOD_YEAR) {
    throw new BillingError(
      BILLING_ERROR.INVALID_PERIOD,
      `period year must be within ${MIN_PERIOD_YEAR}–${MAX_PERIOD_YEAR}`,
      { period: input },
    );
  }
  return input;
}

/** `[startsAt, endsAt)`: the first instant of the month and the first instant of the next. */
export function periodBounds(key: PeriodKey): { startsAt: Date; endsAt: Date } {
  const { year, monthIndex } = split(key);
  return {
    startsAt: new Date(Date.UTC(year, monthIndex, 1)),
    endsAt: new Date(Date.UTC(year, monthIndex + 1, 1)),
  };
}

export function nextPeriod(key: PeriodKey): PeriodKey {
  const { year, monthIndex } = split(key);
  return monthIndex === 11 ? keyOf(year + 1, 0) : keyOf(year, monthIndex + 1);
}

export function previousPeriod(key: PeriodKey): PeriodKey {
  const { year, monthIndex } = split(key);
  return monthIndex === 0 ? keyOf(year - 1, 11) : keyOf(year, monthIndex - 1);
}

/** Whether the period has ended at `now` (now ≥ first instant of the next month). */
export function periodHasEnded(key: PeriodKey, now: Date): boolean {
  return now.getTime() >= periodBounds(key).endsAt.getTime();
}

/**
 * The billing period of a line whose service period is `after`: `after` itself when it is open,
 * else the first open period after it (searching forward month by month). Calling it only for a
 * closed service period therefore gives "the next open period after it" as well.
 */
export function nextOpenPeriod(after: PeriodKey, isClosed: (k: PeriodKey) => boolean): PeriodKey {
  let key = after;
  for (;;) {
    if (!isClosed(key)) return key;
    key = nextPeriod(key);
    if (split(key).year > MAX_PERIOD_YEAR) {
      throw new BillingError(BILLING_ERROR.INVALID_PERIOD, 'no open period left', { after });
    }
  }
}

/** Compare period keys (lexicographic = chronological for YYYY-MM). */
export function comparePeriods(a: PeriodKey, b: PeriodKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
