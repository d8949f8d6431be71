// Query values the validation pipe cannot judge by their shape alone: instants and periods.
// Failures are billing's own codes (BILLING.INVALID_QUERY with `details.issues`,
// BILLING.INVALID_PERIOD from the domain).
import { BILLING_ERROR, invalid } from '../domain/errors';
import { parsePeriodKey } from '../domain/periods';
import type { PeriodKey } from '../domain/billing.events';

const INSTANT =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant an ISO-8601 text with a zone names, or undefined (Feb 30, 24:00, no zone...). */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1, 6).map((part) => Number(part));
  const second = Number(match[6] ?? '0');
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || second > 59) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** `?at=`: an ISO-8601 instant with a zone, else BILLING.INVALID_QUERY. */
export function parseInstantQuery(raw: string, field: string): Date {
  const at = parseInstant(raw);
  if (at === undefined) {
    throw invalid(BILLING_ERROR.INVALID_QUERY, `The query is invalid: ${field}.`, [
      {
        path: field,
        code: 'QUERY.INVALID_INSTANT',
        message: 'must be an ISO-8601 instant with a zone, e.g. 2026-11-15T12:00:00Z',
      },
    ]);
  }
  return at;
}

/** A period from a query or path: YYYY-MM, years 2000–2999 (BILLING.INVALID_PERIOD). */
export function periodParam(raw: string): PeriodKey {
  return parsePeriodKey(raw);
}

/** `?flag=true|false` already checked by the DTO; absent → the default. */
export function booleanQuery(raw: 'true' | 'false' | undefined, fallback: boolean): boolean {
  return raw === undefined ? fallback : raw === 'true';
}
