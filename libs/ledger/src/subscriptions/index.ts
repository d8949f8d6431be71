export {
  subscriptionMigrationStatements,
  CHECKPOINTS_TABLE,
  INBOX_TABLE,
} from './subscription.schema';
export { SubscriptionError, type SubscriptionErrorCode } from './subscription.errors';
export { compareCheckpoints, formatCheckpoint } from './checkpoint';
export { CheckpointRepository } from './checkpoint.repository';
export {
  MAX_LAG_COUNT,
  assertTransactionIdsAhead,
  measureLag,
  readSnapshotHead,
  type SnapshotHead,
  type SubscriptionLag,
} from './ledger-head';
export {
  DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE,
  backoffDelayMs,
  resolveSubscriptionSettings,
  type SubscriptionSettings,
  type SubscriptionTuning,
} from './subscription.settings';
export { jsonStderrLogger, type SubscriptionLogger } from './subscription.logger';
export {
  Subscription,
  type BatchContext,
  type BatchOutcome,
  type BatchReport,
  type SubscriptionHandler,
  type SubscriptionHooks,
  type SubscriptionOptions,
  type SubscriptionState,
  type SubscriptionStatus,
  type TransactionalBatchContext,
} from './subscription';
export {
  createProjectionSubscription,
  projectionContext,
  projectionMigrationStatements,
  type Projection,
  type ProjectionContext,
  type ProjectionSubscriptionOptions,
  type ProjectionTable,
} from './projection';
export {
  createExternalSubscription,
  type ExternalSubscriptionOptions,
} from './external-subscription';
