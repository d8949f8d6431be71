// Units of work live in the ledger library (shared with ingestion and billing); re-exported here.
export {
  isRetryable,
  RetryUnitOfWork,
  runUnitOfWork,
  type UnitOfWorkOptions,
} from '@plafond/ledger';
