export {
  ALLOCATION_CONTRACT_CHECKS,
  INTERNAL_ALLOCATION_EVENT_TYPES,
  allocationEventRouter,
  type AllocationDomainEvent,
} from './allocation-event-routes';
export { AllocationRelay, type AllocationRelayStatus } from './allocation-relay';
export {
  BackgroundStart,
  type EdgeState,
  type EdgeStatus,
  type RetryTuning,
} from '@plafond/platform';
// The dead letter store is @plafond/platform's (kafka/dead-letters), bound by the module.
export { DeadLetters } from '@plafond/platform';
export {
  DEAD_LETTERS_TABLE,
  messagingTableDownStatements,
  messagingTableStatements,
} from './messaging.schema';
export { MessagingModule } from './messaging.module';
export {
  MESSAGING_SETTINGS,
  resolveMessagingSettings,
  type MessagingModuleOptions,
  type MessagingSettings,
} from './messaging.options';
export { MessagingStatus, type MessagingReport } from './messaging.status';
export {
  USAGE_DEBITS,
  USAGE_RECORDED_ACTOR,
  UsageRecordedConsumer,
  isPermanentUsageFailure,
  type UsageConsumerStatus,
  type UsageDebitsPort,
} from './usage-recorded.kafka.controller';
export {
  USAGE_MESSAGE_ERROR,
  UsageMessageRejected,
  readUsageRecordedMessage,
  type UsageMessageErrorCode,
  type UsageRecordedMessage,
} from './usage-recorded.message';
export { ALLOCATION_RELAY_MODE, allocationLedgerLogProducer } from './ledger-log-producer';
