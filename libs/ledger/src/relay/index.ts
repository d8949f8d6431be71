export {
  eventTimeOf,
  partitionKeyOf,
  toLedgerCloudEvent,
  type RelayRoute,
  type RelayRouter,
} from './ledger-cloud-event';
export { buildRelayBatch, type RelayBatch } from './relay-batch';
export {
  DEFAULT_RELAY_NAME,
  KafkaRelay,
  relayProducerConfig,
  type KafkaRelayOptions,
} from './kafka-relay';
