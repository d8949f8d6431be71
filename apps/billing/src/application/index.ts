// Public surface of the billing application layer.
export { BillingApplicationModule } from './application.module';
export {
  appendAndProject,
  type AppendAndProjectOptions,
  type BillingEventToAppend,
} from './books-writer';
export {
  adjustedUsageId,
  CONSUMER_CONTEXT,
  foldUsageStream,
  UsageCharging,
  type UsageStreamState,
} from './charging.service';
export { CLOCK, systemClock, type Clock } from './clock';
export type { CommandContext } from './command-context';
export {
  BillingDirectory,
  DIRECTORY_TABLES,
  directoryTableDownStatements,
  directoryTableStatements,
  type DirectoryUnit,
  type UsageDebit,
} from './directory';
export {
  DIRECTORY_BEHIND,
  DirectoryBehindError,
  type DirectoryBehindDetails,
} from './directory-behind.error';
export { BillingPeriods, type Booking, type CloseResult } from './periods.service';
export {
  BillingProfiles,
  parseProfileInput,
  type BillingProfileView,
  type EffectiveProfile,
} from './profiles.service';
export { loadScheduleVersion, loadSchedules } from './schedule-store';
export { PriceSchedules, type PublicationResult } from './schedules.service';
export {
  BILLING_SETTINGS,
  billingSettings,
  DEFAULT_BILLING_SETTINGS,
  type BillingSettings,
} from './settings';
export {
  billingEventId,
  eventIds,
  lockCurrency,
  lockPeriods,
  periodStreamId,
  profileStreamId,
  scheduleStreamId,
  usageStreamId,
} from './streams';
