export { ledgerLogDelivery } from './ledger-log-message';
export {
  DEFAULT_LEDGER_LOG_IDLE_POLL_MS,
  createLedgerLogConsumer,
  type LedgerLogBatchOutcome,
  type LedgerLogConsumer,
  type LedgerLogConsumerOptions,
  type LedgerLogConsumerStatus,
  type LedgerLogProducer,
} from './ledger-log-consumer';
