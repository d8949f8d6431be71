// A budget period in the budget's IANA time zone, computed with Intl only (no dependency, no
// clock). Boundaries are local midnights: start inclusive, end exclusive.
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { requireCalendarDate } from '../shared/values';

export type PeriodSpec =
  | { kind: 'month'; /** YYYY-MM */ month: string }
  | { kind: 'range'; startsOn: string; /** exclusive */ endsOn: string };

export interface BudgetPeriod {
  kind: PeriodSpec['kind'];
  /** `2026-03` for a month, `2026-03-01..2026-04-01` for a range. */
  key: string;
  timeZone: string;
  /** ISO-8601 UTC instants; the period is [startsAt, endsAt). */
  startsAt: string;
  endsAt: string;
}

export const DEFAULT_TIME_ZONE = 'UTC';
const HOUR_MS = 3_600_000;
const MONTH_PATTERN = /^([0-9]{4})-([0-9]{2})$/;
/** Time zones in use are few; the bound only keeps a hostile input from growing the cache. */
const FORMATTER_CACHE_SIZE = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    refuse(DOMAIN_ERROR_CODES.timeZoneInvalid, `unknown time zone "${timeZone}"`, { timeZone });
  }
  if (formatters.size >= FORMATTER_CACHE_SIZE) formatters.clear();
  formatters.set(timeZone, formatter);
  return formatter;
}

/** Offset of `timeZone` from UTC at an instant, in ms (local = UTC + offset). */
function offsetAt(timeZone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return local - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

/**
 * The first instant of a local calendar day. Offsets are sampled a day and a half either side
 * (time zones change offset at most once in that span). When midnight happens twice the earlier
 * one wins; when a transition skips midnight the day starts at the transition.
 */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day);
  const candidates = [
    offsetAt(timeZone, wall - 36 * HOUR_MS),
    offsetAt(timeZone, wall + 36 * HOUR_MS),
  ].map((offset) => wall - offset);
  const exact = candidates.filter((instant) => instant + offsetAt(timeZone, instant) === wall);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

function nextMonth(month: string): { first: string; next: string } {
  const match = MONTH_PATTERN.exec(month);
  const monthNumber = match === null ? 0 : Number(match[2]);
  const yearNumber = match === null ? 0 : Number(match[1]);
  if (match === null || monthNumber < 1 || monthNumber > 12 || yearNumber < 1970)
    refuse(DOMAIN_ERROR_CODES.periodInvalid, 'period.month must be YYYY-MM', { month });
  const year = yearNumber;
  const following =
    monthNumber === 12 ? `${year + 1}-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}`;
  return { first: `${month}-01`, next: `${following}-01` };
}

export function resolvePeriod(
  spec: PeriodSpec,
  timeZone: string = DEFAULT_TIME_ZONE,
): BudgetPeriod {
  formatterFor(timeZone);
  let startsOn: string;
  let endsOn: string;
  let key: string;
  switch (spec.kind) {
    case 'month': {
      const { first, next } = nextMonth(spec.month);
      [startsOn, endsOn, key] = [first, next, spec.month];
      break;
    }
    case 'range':
      startsOn = requireCalendarDate(spec.startsOn, 'period.startsOn');
      endsOn = requireCalendarDate(spec.endsOn, 'period.endsOn');
      if (endsOn <= startsOn)
        refuse(DOMAIN_ERROR_CODES.periodInvalid, 'period.endsOn must be after period.startsOn', {
          startsOn,
          endsOn,
        });
      key = `${startsOn}..${endsOn}`;
      break;
    default:
      refuse(DOMAIN_ERROR_CODES.periodInvalid, 'period.kind must be month or range', {});
  }
  return {
    kind: spec.kind,
    key,
    timeZone,
    startsAt: new Date(startOfLocalDay(startsOn, timeZone)).toISOString(),
    endsAt: new Date(startOfLocalDay(endsOn, timeZone)).toISOString(),
  };
}
