// Units of work live in the ledger library (shared by the services); re-exported here.
export { isRetryable, runUnitOfWork } from '@plafond/ledger';
