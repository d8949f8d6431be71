// Report windows: the span a rebound report compares with the one before it. A calendar month
// (`YYYY-MM`, the billing period) is what finance reads; a UTC day, hour or minute lets a test or
// the traffic simulator see the rebound effect without waiting a month (and without usage older
// than ingestion's lateness limit). Windows other than months are computed from when the usage
// happened (occurred_at); months keep using the service period, which is the same thing kept on
// the usage line.
import { BILLING_ERROR, BillingError } from './errors';
import {
  MAX_PERIOD_YEAR,
  MIN_PERIOD_YEAR,
  parsePeriodKey,
  periodBounds,
  previousPeriod,
} from './periods';

export type WindowGranularity = 'month' | 'day' | 'hour' | 'minute';

export interface ReportWindow {
  /** As given (`2026-11`, `2026-11-29`, `2026-11-29T10`, `2026-11-29T10:05`). */
  readonly key: string;
  readonly granularity: WindowGranularity;
  /** `[startsAt, endsAt)` in UTC. */
  readonly startsAt: Date;
  readonly endsAt: Date;
}

const WINDOW_PATTERN = /^(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2}))?)?)?$/;

const INVALID_MESSAGE =
  'period must be a UTC month YYYY-MM, day YYYY-MM-DD, hour YYYY-MM-DDTHH or minute YYYY-MM-DDTHH:mm (e.g. 2026-11, 2026-11-29T10)';

function invalid(input: string): BillingError {
  return new BillingError(BILLING_ERROR.INVALID_PERIOD, INVALID_MESSAGE, {
    period: input.slice(0, 64),
  });
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function keyOf(start: Date, granularity: WindowGranularity): string {
  const month = `${pad(start.getUTCFullYear(), 4)}-${pad(start.getUTCMonth() + 1)}`;
  if (granularity === 'month') return month;
  const day = `${month}-${pad(start.getUTCDate())}`;
  if (granularity === 'day') return day;
  const hour = `${day}T${pad(start.getUTCHours())}`;
  if (granularity === 'hour') return hour;
  return `${hour}:${pad(start.getUTCMinutes())}`;
}

const LENGTH_MS: Record<Exclude<WindowGranularity, 'month'>, number> = {
  day: 86_400_000,
  hour: 3_600_000,
  minute: 60_000,
};

function windowAt(start: Date, granularity: WindowGranularity): ReportWindow {
  if (granularity === 'month') {
    const key = keyOf(start, 'month');
    return { key, granularity, ...periodBounds(key) };
  }
  return {
    key: keyOf(start, granularity),
    granularity,
    startsAt: start,
    endsAt: new Date(start.getTime() + LENGTH_MS[granularity]),
  };
}

/**
 * Parses a report window; throws BILLING.INVALID_PERIOD for anything else, an impossible date
 * (`2026-02-30`, hour 24, minute 60) or a year outside 2000–2999.
 */
export function parseReportWindow(input: unknown): ReportWindow {
  if (typeof input !== 'string') throw invalid(typeof input);
  const match = WINDOW_PATTERN.exec(input);
  if (match === null) throw invalid(input);
  const [, yearText, monthText, dayText, hourText, minuteText] = match;
  if (dayText === undefined) {
    // Months keep their own rules and message (parsePeriodKey), shared with every other report.
    const key = parsePeriodKey(input);
    return { key, granularity: 'month', ...periodBounds(key) };
  }
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = hourText === undefined ? 0 : Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  if (year < MIN_PERIOD_YEAR || year > MAX_PERIOD_YEAR) throw invalid(input);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) throw invalid(input);
  const start = new Date(Date.UTC(year, month - 1, day, hour, minute));
  // Date.UTC rolls 2026-02-30 over to March: a day that does not exist comes back different.
  if (start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) throw invalid(input);
  const granularity: WindowGranularity =
    minuteText !== undefined ? 'minute' : hourText !== undefined ? 'hour' : 'day';
  return windowAt(start, granularity);
}

/** The window of the same length that ends where `window` starts. */
export function previousWindow(window: ReportWindow): ReportWindow {
  if (window.granularity === 'month') {
    const key = previousPeriod(window.key);
    return { key, granularity: 'month', ...periodBounds(key) };
  }
  return windowAt(
    new Date(window.startsAt.getTime() - LENGTH_MS[window.granularity]),
    window.granularity,
  );
}
