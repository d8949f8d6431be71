// OpenAPI documentation of the errors each endpoint answers, with one example per code. The
// examples are the real shapes (`{ code, message, details }`, amounts as strings); the decorator
// itself is the platform's (createApiErrors).
import { createApiErrors, OUT_OF_SCOPE, type ErrorExample } from '@plafond/platform';
import { httpStatusOf, LEDGER_CONCURRENCY } from './error-mapping';

/** A second example of AUTH.FORBIDDEN: a unit manager naming a unit outside its subtree. */
export { OUT_OF_SCOPE };

const budget = { budgetId: 'energy-2026-03' };
const account = { ...budget, unitId: 'team-search' };

/** One realistic example per code; codes documented on an endpoint must be listed here. */
export const ERROR_EXAMPLES: Readonly<Record<string, ErrorExample>> = {
  'REQUEST.INVALID': {
    message: 'The request is invalid: amount.',
    details: {
      fields: [
        {
          field: 'amount',
          errors: [
            'amount must be a decimal integer string or a safe integer: must not be negative (QUANTITY.NEGATIVE)',
          ],
        },
      ],
    },
  },
  'AUTH.UNAUTHENTICATED': {
    message: 'A valid API key is required.',
    details: {},
  },
  'AUTH.FORBIDDEN': {
    message: 'The role "auditor" may not call this endpoint.',
    details: { role: 'auditor', required: ['admin'] },
  },
  [OUT_OF_SCOPE]: {
    message: 'This key may only act on units under "bu-retail".',
    details: { role: 'unit_manager', scopeUnitId: 'bu-retail', unitIds: ['bu-corporate'] },
  },
  'COMMAND.INVALID': {
    message: 'effectiveFrom: must be a calendar date YYYY-MM-DD',
    details: { field: 'effectiveFrom', reason: 'must be a calendar date YYYY-MM-DD' },
  },
  'IDEMPOTENCY.CONFLICT': {
    message: 'reservation "job-7f3a" was made with another request',
    details: { reservationId: 'job-7f3a' },
  },
  [LEDGER_CONCURRENCY]: {
    message: 'Another request changed the same data at the same time; retry with the same ids.',
    details: {},
  },
  'UNIT.NOT_FOUND': { message: 'unit "team-ghost" not found', details: { unitId: 'team-ghost' } },
  'UNIT.ALREADY_EXISTS': {
    message: 'unit "team-search" already exists',
    details: { unitId: 'team-search' },
  },
  'UNIT.ARCHIVED': { message: 'unit "team-old" is archived', details: { unitId: 'team-old' } },
  'UNIT.CYCLE': {
    message: 'a unit cannot move below itself',
    details: { unitId: 'bu-retail', newParentId: 'team-search' },
  },
  'UNIT.TOO_DEEP': {
    message: 'the tree would be too deep',
    details: { unitId: 'team-deep', limit: 64 },
  },
  'UNIT.HAS_ACTIVE_CHILDREN': {
    message: 'archive or move the children first',
    details: { unitId: 'bu-retail', children: ['team-search'] },
  },
  'UNIT.HAS_OPEN_ALLOCATIONS': {
    message: 'the unit holds allocations in open budgets',
    details: { unitId: 'team-search', openAllocationCount: 1 },
  },
  'UNIT.LIMIT_EXCEEDED': { message: 'too many units', details: { limit: 100000 } },
  'UNIT.NOT_IN_BUDGET': {
    message: 'unit "finance" is not in the perimeter of budget "energy-2026-03"',
    details: { ...budget, unitId: 'finance' },
  },
  'CATALOG.CLASS_NOT_FOUND': {
    message: 'usefulness class "luxury" not found',
    details: { className: 'luxury' },
  },
  'CATALOG.CLASS_ALREADY_EXISTS': {
    message: 'class "essential" already exists',
    details: { className: 'essential' },
  },
  'CATALOG.USE_CASE_NOT_FOUND': {
    message: 'use case "poem-generator" not found',
    details: { useCase: 'poem-generator' },
  },
  'CATALOG.USE_CASE_ALREADY_EXISTS': {
    message: 'use case "support-triage" already exists',
    details: { useCase: 'support-triage' },
  },
  'CATALOG.USE_CASE_RETIRED': {
    message: 'use case "legacy-summary" is retired',
    details: { useCase: 'legacy-summary' },
  },
  'CATALOG.LIMIT_EXCEEDED': { message: 'too many usefulness classes', details: { limit: 16 } },
  'USECASE.PROHIBITED': {
    message: 'class "prohibited" is prohibited',
    details: { ...account, useCase: 'crypto-mining', className: 'prohibited', available: '0' },
  },
  'USECASE.CLASS_CAP_EXCEEDED': {
    message: 'class "discretionary" would pass its cap',
    details: {
      ...account,
      useCase: 'slide-polish',
      className: 'discretionary',
      capShareBasisPoints: 2000,
      cap: '200000',
      available: '650000',
    },
  },
  'USECASE.SHED_ABOVE_UTILISATION': {
    message: 'class "discretionary" is shed above 8000 bp utilisation',
    details: {
      ...account,
      useCase: 'slide-polish',
      className: 'discretionary',
      shedAboveUtilisationBasisPoints: 8000,
      available: '150000',
    },
  },
  'BUDGET.NOT_FOUND': { message: 'budget not found', details: { budgetId: 'energy-2026-13' } },
  'BUDGET.ALREADY_EXISTS': { message: 'budget "energy-2026-03" already exists', details: budget },
  'BUDGET.PERIOD_INVALID': {
    message: 'period.month must be YYYY-MM',
    details: { month: '2026-3' },
  },
  'BUDGET.TIME_ZONE_INVALID': {
    message: 'unknown time zone "Europe/Atlantis"',
    details: { timeZone: 'Europe/Atlantis' },
  },
  'BUDGET.CEILING_RAISE_FORBIDDEN': {
    message: 'the ceiling cannot be raised while the period is open',
    details: { ...budget, ceiling: '1000000000', requested: '2000000000' },
  },
  'BUDGET.CEILING_BELOW_ALLOCATED': {
    message: 'the new ceiling is below what is allocated',
    details: { ...budget, allocated: '900000000', ceiling: '800000000', needed: '100000000' },
  },
  'BUDGET.PERIOD_CLOSED': {
    message: 'the budget period is closed',
    details: { ...account, periodEndsAt: '2026-04-01T00:00:00.000Z' },
  },
  'BUDGET.PERIOD_NOT_ENDED': {
    message: 'the period has not ended; pass closeEarly with a reason',
    details: { ...budget, endsAt: '2026-04-01T00:00:00.000Z' },
  },
  'BUDGET.ALLOCATION_ROOT_MISMATCH': {
    message: "the allocation must start at the budget's perimeter unit",
    details: { perimeterUnitId: 'acme', rootId: 'bu-retail' },
  },
  'BUDGET.ALLOCATION_EXCEEDS_CEILING': {
    message: 'the allocation would pass the ceiling',
    details: {
      ...budget,
      ceiling: '1000000000',
      allocated: '600000000',
      requested: '500000000',
      unallocated: '400000000',
    },
  },
  'BUDGET.ALLOCATION_LIMIT_EXCEEDED': {
    message: 'too many allocation rounds',
    details: { limit: 100 },
  },
  'ACCOUNT.NOT_FOUND': { message: 'the unit has no account in this budget', details: {} },
  'QUOTA.EXCEEDED': {
    message: 'not enough quota available',
    details: {
      ...account,
      requested: '5000000',
      available: '1200000',
      allocated: '10000000',
      reserved: '3800000',
      committed: '5000000',
    },
  },
  'QUOTA.UNIT_BLOCKED': {
    message: 'the unit overran its allocation; transfer quota in to unblock it',
    details: { ...account, available: '0' },
  },
  'RESERVATION.NOT_FOUND': {
    message: 'reservation "job-404" not found',
    details: { reservationId: 'job-404' },
  },
  'RESERVATION.ALREADY_FINALISED': {
    message: 'reservation "job-7f3a" is already committed',
    details: { reservationId: 'job-7f3a', outcome: 'committed', committedAmount: '4200000' },
  },
  'RESERVATION.COMMIT_EXCEEDS_RESERVED': {
    message: 'a commit cannot exceed the reserved amount',
    details: { reservationId: 'job-7f3a', reserved: '5000000', requested: '6000000' },
  },
  'RESERVATION.EXPIRED': {
    message: 'reservation "job-7f3a" has passed its deadline',
    details: { reservationId: 'job-7f3a', expiresAt: '2026-03-12T10:15:00.000Z' },
  },
  'RESERVATION.TOO_MANY_PENDING': {
    message: 'too many pending reservations on this unit',
    details: { ...account, limit: 900 },
  },
  'RESERVATION.NO_OPEN_BUDGET': {
    message: 'no open budget covers unit "team-search" now',
    details: { unitId: 'team-search' },
  },
  'RESERVATION.BUDGET_AMBIGUOUS': {
    message: 'several open budgets cover unit "team-search"; name budgetId or dimension',
    details: { unitId: 'team-search', candidates: ['energy-2026-03', 'tokens-2026-03'] },
  },
  'RESERVATION.BUSY': {
    message: 'too many reservations queued on this instance; retry with the same id',
    details: { unitId: 'team-search' },
  },
  'TRANSFER.INSUFFICIENT_UNUSED': {
    message: 'the unit has less unused quota than requested',
    details: { ...account, available: '1200000', requested: '5000000' },
  },
  'TRANSFER.SAME_UNIT': {
    message: 'a transfer needs two different units',
    details: { unitId: 'team-search' },
  },
  'TRANSFER.UNIT_NOT_IN_BUDGET': {
    message: 'unit "team-ghost" has no allocation in this budget',
    details: { ...budget, unitId: 'team-ghost' },
  },
  'ALLOCATION.NOT_FOUND': {
    message: 'allocation "round-9" not found',
    details: { ...budget, allocationId: 'round-9' },
  },
  'DEAD_LETTER.NOT_FOUND': {
    message: 'dead letter "999" not found',
    details: { deadLetterId: '999' },
  },
  'ALLOCATION.POLICY_INVALID': {
    message: 'policies["acme"].rule.members[0].floor: must not be negative',
    details: {
      issues: [
        {
          path: 'policies["acme"].rule.members[0].floor',
          reason: 'NEGATIVE',
          message: 'must not be negative',
          unitId: 'acme',
          childId: 'bu-retail',
        },
      ],
    },
  },
  'ALLOCATION.AMOUNT_INVALID': {
    message: 'amount: must be a bigint >= 0',
    details: { issues: [{ path: 'amount', reason: 'NEGATIVE', message: 'must be >= 0' }] },
  },
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'The request is malformed',
  401: 'No valid API key',
  403: 'The key may not do this',
  404: 'Not found',
  409: 'Conflict with what exists',
  422: 'Refused by the current state',
  500: 'Internal error',
  503: 'Busy: nothing was decided, retry with the same request',
};

/** `ApiErrors(...codes)`: `@ApiResponse` per status with the examples above (400/401/403 always). */
export const { ApiErrors, documentedStatusOf, ErrorResponse } = createApiErrors({
  examples: ERROR_EXAMPLES,
  statusOf: httpStatusOf,
  statusText: STATUS_TEXT,
  schemaExample: {
    code: 'QUOTA.EXCEEDED',
    message: 'not enough quota available',
    details: { budgetId: 'b-2026-03', unitId: 'team-search', requested: '5000', available: '1200' },
  },
});
