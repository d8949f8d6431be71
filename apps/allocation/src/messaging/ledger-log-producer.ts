// What the allocation relay publishes, described for a consumer that reads the allocation ledger
// in place (the embedded one-process mode, no broker): same source, router, topics and mode as
// the relay, so an inbox sees the same CloudEvents either way.
import {
  ALLOCATION_EVENTS_SOURCE,
  TOPICS,
  topicName,
  type KafkaContentMode,
} from '@plafond/contracts';
import type { LedgerLogProducerSpec } from '@plafond/messaging';
import type { AllocationConfig } from '../config';
import { allocationEventRouter } from './allocation-event-routes';

/** The relay's content mode (binary: CloudEvents attributes in headers, data as the value). */
export const ALLOCATION_RELAY_MODE: KafkaContentMode = 'binary';

/** The allocation ledger as a ledger-log producer: public allocation events on their topic. */
export function allocationLedgerLogProducer(config: AllocationConfig): LedgerLogProducerSpec {
  const topic = topicName(TOPICS.allocationEvents, config.kafkaTopicPrefix);
  return {
    name: 'allocation',
    schema: config.databaseSchema,
    source: ALLOCATION_EVENTS_SOURCE,
    topics: [topic],
    route: allocationEventRouter(topic),
    mode: ALLOCATION_RELAY_MODE,
  };
}
