// Refusals of billing carry a stable `BILLING.*` code (never branch on messages) and the HTTP
// status the API maps them to. `details` is JSON as is (amounts as strings).
import type { JsonValue } from '@plafond/ledger';

export const BILLING_ERROR = {
  INVALID_SCHEDULE: 'BILLING.INVALID_SCHEDULE',
  SCHEDULE_NOT_AFTER_LATEST: 'BILLING.SCHEDULE_NOT_AFTER_LATEST',
  SCHEDULE_IN_CLOSED_PERIOD: 'BILLING.SCHEDULE_IN_CLOSED_PERIOD',
  SCHEDULE_NOT_FOUND: 'BILLING.SCHEDULE_NOT_FOUND',
  INVALID_PERIOD: 'BILLING.INVALID_PERIOD',
  PERIOD_NOT_ENDED: 'BILLING.PERIOD_NOT_ENDED',
  PERIOD_ALREADY_CLOSED: 'BILLING.PERIOD_ALREADY_CLOSED',
  PERIOD_NOT_FOUND: 'BILLING.PERIOD_NOT_FOUND',
  /** The period still holds usage without a price: publish a schedule that covers it first. */
  PERIOD_HAS_UNPRICED_USAGE: 'BILLING.PERIOD_HAS_UNPRICED_USAGE',
  INVALID_PROFILE: 'BILLING.INVALID_PROFILE',
  UNIT_NOT_FOUND: 'BILLING.UNIT_NOT_FOUND',
  INVOICE_NOT_FOUND: 'BILLING.INVOICE_NOT_FOUND',
  INVALID_QUERY: 'BILLING.INVALID_QUERY',
  /** Reason code of held (unpriced) usage; never thrown. */
  NO_PRICE_SCHEDULE: 'BILLING.NO_PRICE_SCHEDULE',
  /** An adjustment / overrun for a usage billing never received: permanent (dead letter). */
  UNKNOWN_USAGE: 'BILLING.UNKNOWN_USAGE',
  INVALID_MESSAGE: 'BILLING.INVALID_MESSAGE',
  /** The replay check could not take a settled snapshot (a long transaction is open): retry. */
  REPLAY_NOT_SETTLED: 'BILLING.REPLAY_NOT_SETTLED',
} as const;

export type BillingErrorCode = (typeof BILLING_ERROR)[keyof typeof BILLING_ERROR];

/** HTTP status of every code (NO_PRICE_SCHEDULE, UNKNOWN_USAGE, INVALID_MESSAGE are not HTTP refusals: 422/400). */
export const BILLING_ERROR_STATUS: Readonly<Record<BillingErrorCode, number>> = {
  [BILLING_ERROR.INVALID_SCHEDULE]: 400,
  [BILLING_ERROR.SCHEDULE_NOT_AFTER_LATEST]: 409,
  [BILLING_ERROR.SCHEDULE_IN_CLOSED_PERIOD]: 409,
  [BILLING_ERROR.SCHEDULE_NOT_FOUND]: 404,
  [BILLING_ERROR.INVALID_PERIOD]: 400,
  [BILLING_ERROR.PERIOD_NOT_ENDED]: 409,
  [BILLING_ERROR.PERIOD_ALREADY_CLOSED]: 409,
  [BILLING_ERROR.PERIOD_NOT_FOUND]: 404,
  [BILLING_ERROR.PERIOD_HAS_UNPRICED_USAGE]: 409,
  [BILLING_ERROR.INVALID_PROFILE]: 400,
  [BILLING_ERROR.UNIT_NOT_FOUND]: 404,
  [BILLING_ERROR.INVOICE_NOT_FOUND]: 404,
  [BILLING_ERROR.INVALID_QUERY]: 400,
  [BILLING_ERROR.NO_PRICE_SCHEDULE]: 422,
  [BILLING_ERROR.UNKNOWN_USAGE]: 422,
  [BILLING_ERROR.INVALID_MESSAGE]: 400,
  [BILLING_ERROR.REPLAY_NOT_SETTLED]: 503,
};

/** JSON as is, so `{ code, message, details }` goes over HTTP without another mapping. */
export type BillingErrorDetails = Readonly<Record<string, JsonValue>>;

/** One validation problem (schedule, profile, query): a JSON path, a stable code, a message. */
export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export class BillingError extends Error {
  override readonly name = 'BillingError';
  readonly status: number;

  constructor(
    readonly code: BillingErrorCode,
    message: string,
    readonly details: BillingErrorDetails = {},
  ) {
    super(message);
    this.status = BILLING_ERROR_STATUS[code];
  }
}

export function isBillingError(error: unknown, code?: BillingErrorCode): error is BillingError {
  return error instanceof BillingError && (code === undefined || error.code === code);
}

/** A refusal carrying every validation issue at once in `details.issues`. */
export function invalid(
  code: BillingErrorCode,
  message: string,
  issues: readonly ValidationIssue[],
): BillingError {
  return new BillingError(code, message, {
    issues: issues.map((issue) => ({ path: issue.path, code: issue.code, message: issue.message })),
  });
}
