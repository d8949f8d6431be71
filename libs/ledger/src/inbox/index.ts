export { Inbox, consumeOnceWithin, type InboxOptions, type InboxResult } from './inbox';
export { cloudEventMessageId } from './cloud-event-id';
export {
  createInboxKafkaConsumer,
  type InboxKafkaConsumer,
  type InboxKafkaConsumerOptions,
  type InboxKafkaMessage,
} from './inbox.kafka-consumer';
