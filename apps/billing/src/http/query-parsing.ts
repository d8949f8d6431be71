// Query values the validation pipe cannot judge by their shape alone: instants and periods.
// Failures are billing's own codes (BILLING.INVALID_QUERY with `details.issues`,
// BILLING.INVALID_PERIOD from the domain).
import { parseIsoInstant } from '@plafond/platform';
import { BILLING_ERROR, invalid } from '../domain/errors';
import { parsePeriodKey } from '../domain/periods';
import type { PeriodKey } from '../domain/billing.events';

/** `?at=`: an ISO-8601 instant with a zone, else BILLING.INVALID_QUERY. */
export function parseInstantQuery(raw: string, field: string): Date {
  const at = parseIsoInstant(raw);
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
