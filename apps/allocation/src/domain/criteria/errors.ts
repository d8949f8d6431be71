// Failures of the criteria are values, not exceptions: a caller (decider, preview endpoint)
// gets every problem of a policy at once and maps the stable code to its own error type.
// Only a broken invariant — a bug, never a user input — is thrown.

export const ALLOCATION_ERROR_CODES = {
  amountInvalid: 'ALLOCATION.AMOUNT_INVALID',
  treeInvalid: 'ALLOCATION.TREE_INVALID',
  policyInvalid: 'ALLOCATION.POLICY_INVALID',
} as const;

export type AllocationErrorCode =
  (typeof ALLOCATION_ERROR_CODES)[keyof typeof ALLOCATION_ERROR_CODES];

export type IssueReason =
  | 'NOT_AN_INTEGER'
  | 'NEGATIVE'
  | 'OUT_OF_RANGE'
  | 'TOO_MANY'
  | 'EMPTY'
  | 'DUPLICATE_CHILD'
  | 'UNKNOWN_CHILD'
  | 'MISSING_CHILD'
  | 'MISSING_ATTRIBUTE'
  | 'DUPLICATE_COMPONENT'
  | 'BASIS_POINTS_SUM'
  | 'DUPLICATE_TIER'
  | 'UNKNOWN_TIER'
  | 'FLOOR_ABOVE_CAP'
  | 'STATIC_SUM_EXCEEDS_AMOUNT'
  | 'CONTINGENCY_EXCEEDS_AMOUNT'
  | 'UNKNOWN_RULE'
  | 'DUPLICATE_UNIT'
  | 'MISSING_POLICY'
  | 'UNKNOWN_UNIT'
  | 'TOO_DEEP';

/** One problem, located by a JSON-ish path. Values are strings so the issue is JSON as is. */
export interface PolicyIssue {
  path: string;
  reason: IssueReason;
  message: string;
  unitId?: string;
  childId?: string;
  value?: string;
  limit?: string;
}

export interface AllocationError {
  code: AllocationErrorCode;
  message: string;
  details: { issues: PolicyIssue[] };
}

export type CriteriaResult<T> = { ok: true; value: T } | { ok: false; error: AllocationError };

export function success<T>(value: T): CriteriaResult<T> {
  return { ok: true, value };
}

export function failure<T>(code: AllocationErrorCode, issues: PolicyIssue[]): CriteriaResult<T> {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first ? `${first.path}: ${first.message}${more}` : code;
  return { ok: false, error: { code, message, details: { issues } } };
}

/** A computed allocation broke conservation or a bound: a defect in the criteria, never user input. */
export class AllocationInvariantError extends Error {
  readonly code = 'ALLOCATION.INVARIANT_VIOLATED';

  constructor(
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(`ALLOCATION.INVARIANT_VIOLATED: ${message}`);
    this.name = 'AllocationInvariantError';
  }
}

export function invariant(
  condition: boolean,
  message: string,
  details?: Record<string, string>,
): asserts condition {
  if (!condition) throw new AllocationInvariantError(message, details);
}
