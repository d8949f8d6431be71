// Refusals of the allocation domain carry a stable code that the HTTP exception filter maps once
// (never branch on messages). A broken invariant is a bug, not a refusal: it reuses the criteria's
// AllocationInvariantError (`ALLOCATION.INVARIANT_VIOLATED`) so both halves of the domain fail alike.
import type { JsonValue } from '@plafond/ledger';
import { AllocationInvariantError, invariant } from '../criteria';

export const DOMAIN_ERROR_CODES = {
  commandInvalid: 'COMMAND.INVALID',
  idempotencyConflict: 'IDEMPOTENCY.CONFLICT',
  unitNotFound: 'UNIT.NOT_FOUND',
  unitAlreadyExists: 'UNIT.ALREADY_EXISTS',
  unitArchived: 'UNIT.ARCHIVED',
  unitCycle: 'UNIT.CYCLE',
  unitTooDeep: 'UNIT.TOO_DEEP',
  unitHasActiveChildren: 'UNIT.HAS_ACTIVE_CHILDREN',
  unitHasOpenAllocations: 'UNIT.HAS_OPEN_ALLOCATIONS',
  unitLimitExceeded: 'UNIT.LIMIT_EXCEEDED',
  /** A read names a unit outside the budget's perimeter that has no account in it. */
  unitNotInBudget: 'UNIT.NOT_IN_BUDGET',
  classNotFound: 'CATALOG.CLASS_NOT_FOUND',
  classAlreadyExists: 'CATALOG.CLASS_ALREADY_EXISTS',
  useCaseNotFound: 'CATALOG.USE_CASE_NOT_FOUND',
  useCaseAlreadyExists: 'CATALOG.USE_CASE_ALREADY_EXISTS',
  useCaseRetired: 'CATALOG.USE_CASE_RETIRED',
  catalogLimitExceeded: 'CATALOG.LIMIT_EXCEEDED',
  useCaseProhibited: 'USECASE.PROHIBITED',
  classCapExceeded: 'USECASE.CLASS_CAP_EXCEEDED',
  shedAboveUtilisation: 'USECASE.SHED_ABOVE_UTILISATION',
  budgetNotFound: 'BUDGET.NOT_FOUND',
  budgetAlreadyExists: 'BUDGET.ALREADY_EXISTS',
  periodInvalid: 'BUDGET.PERIOD_INVALID',
  timeZoneInvalid: 'BUDGET.TIME_ZONE_INVALID',
  ceilingRaiseForbidden: 'BUDGET.CEILING_RAISE_FORBIDDEN',
  ceilingBelowAllocated: 'BUDGET.CEILING_BELOW_ALLOCATED',
  periodClosed: 'BUDGET.PERIOD_CLOSED',
  periodNotEnded: 'BUDGET.PERIOD_NOT_ENDED',
  allocationRootMismatch: 'BUDGET.ALLOCATION_ROOT_MISMATCH',
  allocationExceedsCeiling: 'BUDGET.ALLOCATION_EXCEEDS_CEILING',
  allocationLimitExceeded: 'BUDGET.ALLOCATION_LIMIT_EXCEEDED',
  accountNotFound: 'ACCOUNT.NOT_FOUND',
  quotaExceeded: 'QUOTA.EXCEEDED',
  unitBlocked: 'QUOTA.UNIT_BLOCKED',
  reservationNotFound: 'RESERVATION.NOT_FOUND',
  reservationAlreadyFinalised: 'RESERVATION.ALREADY_FINALISED',
  commitExceedsReserved: 'RESERVATION.COMMIT_EXCEEDS_RESERVED',
  reservationExpired: 'RESERVATION.EXPIRED',
  reservationNotExpired: 'RESERVATION.NOT_EXPIRED',
  tooManyPending: 'RESERVATION.TOO_MANY_PENDING',
  insufficientUnused: 'TRANSFER.INSUFFICIENT_UNUSED',
  transferSameUnit: 'TRANSFER.SAME_UNIT',
  transferUnitNotInBudget: 'TRANSFER.UNIT_NOT_IN_BUDGET',
} as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[keyof typeof DOMAIN_ERROR_CODES];

/** JSON as is, so `{ code, message, details }` goes over HTTP without another mapping; amounts are strings. */
export type ErrorDetails = Readonly<Record<string, JsonValue>>;

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export function refuse(code: DomainErrorCode, message: string, details?: ErrorDetails): never {
  throw new DomainError(code, message, details);
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** `invariant`: a state or event that cannot happen unless the code is wrong fails loudly, never repaired. */
export { AllocationInvariantError, invariant };
