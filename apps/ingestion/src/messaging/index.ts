// Public surface of ingestion's Kafka edge (relay, raw usage consumer, allocation events consumer).
export {
  AllocationEventRejected,
  AllocationEventsConsumer,
  DIRECTORY_EVENT_TYPES,
  applyAllocationEvent,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
export { BackgroundStart, type EdgeStatus, type RetryTuning } from '@plafond/platform';
export { DedupPruner, type DedupPrunerStatus } from './dedup-pruner';
export { INGESTION_CONTRACT_CHECKS, ingestionEventRouter } from './ingestion-event-routes';
export { IngestionRelay, type IngestionRelayStatus } from './ingestion-relay';
export { IngestionMessagingModule } from './messaging.module';
export {
  INGESTION_MESSAGING_SETTINGS,
  INTEGRATOR_LOOKUP,
  resolveIngestionMessagingSettings,
  type IngestionMessagingModuleOptions,
  type IngestionMessagingSettings,
  type IntegratorLookup,
} from './messaging.options';
export { IngestionMessagingStatus, type IngestionMessagingReport } from './messaging.status';
export {
  RAW_USAGE_ERROR,
  RawUsageConsumer,
  UNKNOWN_KAFKA_CALLER,
  rawRecordId,
  type RawUsageConsumerStatus,
} from './usage-raw.consumer';
export { readRawUsageRecord, type RawUsageRecord } from './usage-raw.message';
export { INGESTION_RELAY_MODE, ingestionLedgerLogProducer } from './ledger-log-producer';
