// Public surface of @plafond/ledger: the event store port and its two implementations, the
// schema, the NestJS module, decider testing, and the subscription / inbox / relay / replay /
// ledger-log transport parts.
export * from './types';
export * from './errors';
export { canonicalJson } from './core/canonical-json';
export {
  isRetryable,
  RetryUnitOfWork,
  runUnitOfWork,
  type UnitOfWorkOptions,
} from './core/unit-of-work';
export { eventHash, type HashInput } from './core/event-hash';
export {
  FAILPOINT_NAMES,
  FAILPOINTS_ENV,
  FailpointConfigError,
  Failpoints,
  armedFailpoints,
  failpoint,
  failpointFiredLine,
  parseFailpoints,
  type ArmedFailpoint,
  type FailpointCrash,
  type FailpointName,
} from './core/failpoint';
export * as ledgerLimits from './core/limits';
export {
  LEDGER_IMMUTABLE_MESSAGE,
  assertSchemaName,
  ledgerDownStatements,
  ledgerMigrationStatements,
  ledgerRoleGrantStatements,
} from './schema/ledger-schema';
export {
  LEDGER_MIGRATION_TIMESTAMP,
  createLedgerMigration,
  ledgerSchemaDownStatements,
  ledgerSchemaStatements,
  type LedgerMigrationOptions,
} from './schema/ledger-migration';
export {
  pgExecutor,
  pgPoolSource,
  typeormDataSourceSource,
  typeormExecutor,
  type SqlConnectionSource,
} from './postgres/sql-executor';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './memory/in-memory-event-store';
export {
  DeciderSpecification,
  type Decider,
  type DeciderThen,
  type DeciderWhen,
} from './decider/decider';
export {
  EVENT_STORE,
  InjectEventStore,
  LedgerModule,
  type LedgerModuleOptions,
} from './nest/ledger.module';
export * from './subscriptions';
export * from './inbox';
export * from './relay';
export * from './replay';
export * from './transport';
