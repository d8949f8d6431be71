// OpenAPI documentation of the errors each endpoint answers, with one example per code. The
// examples are the real shapes (`{ code, message, details }`, amounts as decimal strings); the
// decorator itself is the platform's (createApiErrors).
import { createApiErrors, OUT_OF_SCOPE, type ErrorExample } from '@plafond/platform';
import { httpStatusOf, LEDGER_CONCURRENCY } from './error-mapping';

/** A second example of AUTH.FORBIDDEN: a unit manager naming a unit outside its subtree. */
export { OUT_OF_SCOPE };

/** One realistic example per code; codes documented on an endpoint must be listed here. */
export const ERROR_EXAMPLES: Readonly<Record<string, ErrorExample>> = {
  'REQUEST.INVALID': {
    message: 'The request is invalid: currency.',
    details: {
      fields: [
        { field: 'currency', errors: ['currency must be an ISO 4217 code (3 capital letters)'] },
      ],
    },
  },
  'AUTH.UNAUTHENTICATED': { message: 'A valid API key is required.', details: {} },
  'AUTH.FORBIDDEN': {
    message: 'The role "auditor" may not call this endpoint.',
    details: { role: 'auditor', required: ['admin', 'finance'] },
  },
  [OUT_OF_SCOPE]: {
    message: 'This key may only act on units under "bu-retail".',
    details: { role: 'unit_manager', scopeUnitId: 'bu-retail', unitIds: ['bu-corporate'] },
  },
  [LEDGER_CONCURRENCY]: {
    message: 'Another request changed the same data at the same time; retry the request.',
    details: {},
  },
  'BILLING.INVALID_SCHEDULE': {
    message: 'the price schedule is invalid',
    details: {
      issues: [
        {
          path: 'carbonPricePerTonne',
          code: 'SCHEDULE.INVALID_AMOUNT',
          message: 'carbonPricePerTonne has more than 6 fraction digits',
        },
        {
          path: 'overrunTiers[0].fromPercentOfAllocation',
          code: 'SCHEDULE.FIRST_TIER_NOT_ZERO',
          message: 'the first tier starts at "0"',
        },
      ],
    },
  },
  'BILLING.SCHEDULE_NOT_AFTER_LATEST': {
    message:
      'effectiveFrom must be after 2026-11-01T00:00:00.000Z (version 2) or before 2026-09-01T00:00:00.000Z (version 1); a version cannot start between existing ones',
    details: {
      currency: 'EUR',
      latestVersion: 2,
      latestEffectiveFrom: '2026-11-01T00:00:00.000Z',
      earliestEffectiveFrom: '2026-09-01T00:00:00.000Z',
      effectiveFrom: '2026-10-15T00:00:00.000Z',
    },
  },
  'BILLING.SCHEDULE_IN_CLOSED_PERIOD': {
    message: 'the new version would be in force during the closed period 2026-10',
    details: {
      closedPeriod: '2026-10',
      effectiveFrom: '2026-10-20T00:00:00.000Z',
      effectiveUntil: null,
    },
  },
  'BILLING.SCHEDULE_NOT_FOUND': {
    message: 'no price schedule EUR version 9',
    details: { currency: 'EUR', version: 9 },
  },
  'BILLING.INVALID_PERIOD': {
    message: 'period must be YYYY-MM (e.g. 2026-11)',
    details: { period: '2026-13' },
  },
  'BILLING.PERIOD_NOT_ENDED': {
    message: 'period 2026-12 has not ended yet; it can be closed from 2027-01-01T00:00:00.000Z',
    details: {
      period: '2026-12',
      endsAt: '2027-01-01T00:00:00.000Z',
      now: '2026-12-15T09:00:00.000Z',
    },
  },
  'BILLING.PERIOD_HAS_UNPRICED_USAGE': {
    message:
      'period 2026-10 or an earlier one holds 2 usage(s) without a price (CHF: 2); publish a price schedule that covers them, then close',
    details: { period: '2026-10', heldUsage: { CHF: 2 } },
  },
  'BILLING.PERIOD_ALREADY_CLOSED': {
    message: 'period 2026-11 is closed',
    details: { period: '2026-11' },
  },
  'BILLING.PERIOD_NOT_FOUND': {
    message: 'period 2026-09 is not closed',
    details: { period: '2026-09' },
  },
  'BILLING.INVALID_PROFILE': {
    message: 'the billing profile is invalid',
    details: {
      issues: [
        {
          path: 'currency',
          code: 'PROFILE.INVALID_CURRENCY',
          message: 'must be an ISO 4217 code of three capital letters, e.g. "EUR"',
        },
      ],
    },
  },
  'BILLING.UNIT_NOT_FOUND': {
    message: 'unit team-ghost is not known to billing',
    details: { unitId: 'team-ghost' },
  },
  'BILLING.INVOICE_NOT_FOUND': {
    message: 'no invoice INV-2026-11-0099',
    details: { invoiceNumber: 'INV-2026-11-0099' },
  },
  'BILLING.REPLAY_NOT_SETTLED': {
    message:
      '1 ledger events are behind a transaction still open in the cluster; retry the replay check once it ends (see pg_stat_activity for long transactions)',
    details: {},
  },
  'BILLING.INVALID_QUERY': {
    message: 'The query is invalid: at.',
    details: {
      issues: [
        {
          path: 'at',
          code: 'QUERY.INVALID_INSTANT',
          message: 'must be an ISO-8601 instant with a zone, e.g. 2026-11-15T12:00:00Z',
        },
      ],
    },
  },
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'The request is malformed',
  401: 'No valid API key',
  403: 'The key may not do this',
  404: 'Not found',
  409: 'Conflict with what exists',
  422: 'Refused by the current state',
  503: 'Try again shortly',
};

/** `ApiErrors(...codes)`: `@ApiResponse` per status with the examples above (400/401/403 always). */
export const { ApiErrors, documentedStatusOf, ErrorResponse } = createApiErrors({
  examples: ERROR_EXAMPLES,
  statusOf: (code) => (code === LEDGER_CONCURRENCY ? 409 : httpStatusOf(code)),
  statusText: STATUS_TEXT,
  schemaExample: {
    code: 'BILLING.PERIOD_ALREADY_CLOSED',
    message: 'period 2026-11 is closed',
    details: { period: '2026-11' },
  },
});
