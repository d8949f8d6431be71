// What the billing relay publishes, described for a consumer that reads the billing ledger in
// place (the embedded one-process mode, no broker): same source, router, topic and mode as the
// relay, so a reader sees the same CloudEvents either way.
import {
  BILLING_EVENTS_SOURCE,
  TOPICS,
  topicName,
  type KafkaContentMode,
} from '@plafond/contracts';
import type { LedgerLogProducerSpec } from '@plafond/messaging';
import type { BillingConfig } from '../config';
import { billingEventRouter } from './billing-event-routes';

/** The relay's content mode (binary: CloudEvents attributes in headers, data as the value). */
export const BILLING_RELAY_MODE: KafkaContentMode = 'binary';

/** The billing ledger as a ledger-log producer: public billing events on their topic. */
export function billingLedgerLogProducer(config: BillingConfig): LedgerLogProducerSpec {
  const topic = topicName(TOPICS.billingEvents, config.kafkaTopicPrefix);
  return {
    name: 'billing',
    schema: config.databaseSchema,
    source: BILLING_EVENTS_SOURCE,
    topics: [topic],
    route: billingEventRouter(topic),
    mode: BILLING_RELAY_MODE,
  };
}
