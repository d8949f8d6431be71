// Public surface of the allocation read side.
export {
  accountStreamsOfBudget,
  accountStreamsOfUnit,
  parseAccountStreamId,
  type AccountStreamRef,
} from './account-streams';
export {
  BALANCE_READ_FOLD,
  BUDGET_READ_FOLD,
  BalanceQueries,
  ORGANISATION_READ_FOLD,
  type BalanceQueryOptions,
  type UnitBalanceOptions,
} from './balance.queries';
export type {
  BalanceFigures,
  BudgetBalancesReport,
  UnitBalanceFigures,
  UnitBalanceReport,
} from './balance.views';
export {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  HistoryQueries,
  type UnitHistoryEntry,
  type UnitHistoryOptions,
  type UnitHistoryPage,
} from './history.queries';
export {
  BudgetHistoryQueries,
  type AllocationRoundEntry,
  type BudgetHistoryPage,
} from './budget-history.queries';
export {
  BurnDownQueries,
  consumedAt,
  dayBoundaries,
  projectionOf,
  type BurnDownPoint,
  type BurnDownProjection,
  type BurnDownReport,
  type BurnDownUnit,
} from './burn-down.queries';
export {
  REFUSAL_MAX_BUCKETS,
  RefusalQueries,
  blockedReason,
  heldQuota,
  shedClasses,
  type BlockedUnit,
  type RefusalBucket,
  type RefusalQueryOptions,
  type RefusalReport,
  type RefusalSeriesItem,
  type ShedClass,
} from './refusals.queries';
export { ProjectionStatus, type ProjectionReport } from './projection.status';
export { READ_SETTINGS, readSettingsFrom, type ReadSettings } from './read.settings';
export { ReadModule } from './read.module';
export {
  UNIT_BALANCES_PROJECTION_NAME,
  UNIT_BALANCES_TABLE,
  readModelDownStatements,
  readModelStatements,
  readUnitBalanceRows,
  unitBalancesProjection,
  type UnitBalanceRow,
} from './unit-balances.projection';
export { ProjectionWaker, UnitBalancesSubscription } from './unit-balances.subscription';
export {
  ProjectionMismatchError,
  verifyUnitBalances,
  type VerifyUnitBalancesOptions,
} from './unit-balances.verify';
