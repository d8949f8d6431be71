// Public surface of billing's Kafka edge (consumers, relay, dead letters, status).
export {
  ALLOCATION_EVENTS_ACTOR,
  AllocationEventsConsumer,
  BILLING_ALLOCATION_EVENTS,
  isPermanentAllocationFailure,
  type AllocationEventsConsumerStatus,
} from './allocation-events.consumer';
export {
  BILLING_CONTRACT_CHECKS,
  INTERNAL_BILLING_EVENT_TYPES,
  billingEventRouter,
} from './billing-event-routes';
export { BillingRelay, type BillingRelayStatus } from './billing-relay';
// The dead letter store is @plafond/platform's (kafka/dead-letters), bound by the module.
export { DeadLetters } from '@plafond/platform';
export { BillingMessagingHttpController } from './messaging.http.controller';
export { BillingMessagingModule } from './messaging.module';
export {
  BILLING_MESSAGING_SETTINGS,
  resolveBillingMessagingSettings,
  type BillingMessagingModuleOptions,
  type BillingMessagingSettings,
} from './messaging.options';
export {
  DEAD_LETTERS_TABLE,
  messagingTableDownStatements,
  messagingTableStatements,
} from './messaging.schema';
export { BillingMessagingStatus, type BillingMessagingReport } from './messaging.status';
export {
  USAGE_RECORDED_ACTOR,
  UsageRecordedConsumer,
  isPermanentUsageFailure,
  type UsageRecordedConsumerStatus,
} from './usage-recorded.consumer';
export {
  USAGE_MESSAGE_PROBLEM,
  readUsageTopicMessage,
  type UsageTopicMessage,
} from './usage-recorded.message';
export { BILLING_RELAY_MODE, billingLedgerLogProducer } from './ledger-log-producer';
