// Refusals raised by the application layer, not by the pure domain: what only the service can
// know (a budget to resolve, an index row to find, a full queue) and the criteria's result codes
// when a policy or amount is refused. Shaped like DomainError (`{ code, message, details }`), so
// the HTTP edge maps both the same way.
import type { AllocationError } from '../domain/criteria';
import type { ErrorDetails } from '../domain';

export const APPLICATION_ERROR_CODES = {
  allocationNotFound: 'ALLOCATION.NOT_FOUND',
  noOpenBudget: 'RESERVATION.NO_OPEN_BUDGET',
  budgetAmbiguous: 'RESERVATION.BUDGET_AMBIGUOUS',
  /** The per-process reservation queue is full: retry later with the same reservation id. */
  busy: 'RESERVATION.BUSY',
  policyInvalid: 'ALLOCATION.POLICY_INVALID',
  amountInvalid: 'ALLOCATION.AMOUNT_INVALID',
  treeInvalid: 'ALLOCATION.TREE_INVALID',
} as const;

export type ApplicationErrorCode =
  (typeof APPLICATION_ERROR_CODES)[keyof typeof APPLICATION_ERROR_CODES];

export class ApplicationError extends Error {
  override readonly name = 'ApplicationError';

  constructor(
    readonly code: ApplicationErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    /** True when the same request may succeed later as is (a full queue). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

export function isApplicationError(error: unknown): error is ApplicationError {
  return error instanceof ApplicationError;
}

/** A criteria result's failure (policy, amount, tree) as a thrown refusal, every issue kept. */
export function criteriaRefusal(error: AllocationError): ApplicationError {
  const issues = error.details.issues.map((issue) =>
    // Optional fields left out rather than undefined: details are JSON.
    Object.fromEntries(Object.entries(issue).filter((entry) => typeof entry[1] === 'string')),
  ) as { [key: string]: string }[];
  return new ApplicationError(error.code, error.message, { issues });
}
