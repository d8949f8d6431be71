// Public surface of the allocation application layer (commands, units of work, index tables).
export { ApplicationModule } from './application.module';
export { CLOCK, systemClock, type Clock } from './clock';
export { type CommandContext } from './command-context';
export {
  APPLICATION_ERROR_CODES,
  ApplicationError,
  isApplicationError,
  type ApplicationErrorCode,
} from './errors';
export {
  applicationTableDownStatements,
  applicationTableStatements,
  type ReservationRow,
} from './index-tables';
export { OrganisationService, type CreateUnitInput } from './organisation.service';
export { CatalogService } from './catalog.service';
export {
  BUDGET_LIST_LIMIT,
  BudgetService,
  type BudgetListFilter,
  type OpenBudgetInput,
} from './budget.service';
export { EXPIRER_ACTOR, ReservationService, type ReserveInput } from './reservation.service';
export { ReservationExpirer } from './reservation-expirer';
export {
  COUNTED_REFUSAL_CODES,
  DEFAULT_REFUSAL_SETTINGS,
  REFUSAL_SETTINGS,
  REFUSALS_TABLE,
  refusalOf,
  refusalTableDownStatements,
  refusalTableStatements,
  ReservationRefusals,
  type RefusalBufferStatus,
  type RefusalRecord,
  type RefusalSettings,
} from './refusal-recorder';
export {
  DEFAULT_RESERVATION_SETTINGS,
  RESERVATION_SETTINGS,
  reservationSettings,
  type ReservationSettings,
} from './reservation-settings';
export { quantityOf, UsageDebits, usageIdOf, type UsageDebitOutcome } from './usage-debits';
export {
  isRetryable,
  RetryUnitOfWork,
  runUnitOfWork,
  type UnitOfWorkOptions,
} from './unit-of-work';
export type {
  AllocationPreviewView,
  AllocationView,
  BudgetView,
  ReservationStatusName,
  ReservationView,
  TransferView,
  UnitView,
  UseCaseView,
  UsefulnessClassView,
} from './views';
