// What the ingestion relay publishes, described for a consumer that reads the ingestion ledger
// in place (the embedded one-process mode, no broker): same source, router, topics and mode as
// the relay, so an inbox sees the same CloudEvents either way.
import {
  INGESTION_EVENTS_SOURCE,
  TOPICS,
  topicName,
  type KafkaContentMode,
} from '@plafond/contracts';
import type { LedgerLogProducerSpec } from '@plafond/messaging';
import type { IngestionConfig } from '../config';
import { ingestionEventRouter, type IngestionTopics } from './ingestion-event-routes';

/** The relay's content mode (binary: CloudEvents attributes in headers, data as the value). */
export const INGESTION_RELAY_MODE: KafkaContentMode = 'binary';

/** The ingestion ledger as a ledger-log producer: usage.recorded/adjusted and usage.rejected. */
export function ingestionLedgerLogProducer(config: IngestionConfig): LedgerLogProducerSpec {
  const topics: IngestionTopics = {
    usageRecorded: topicName(TOPICS.usageRecorded, config.kafkaTopicPrefix),
    usageRejected: topicName(TOPICS.usageRejected, config.kafkaTopicPrefix),
  };
  return {
    name: 'ingestion',
    schema: config.databaseSchema,
    source: INGESTION_EVENTS_SOURCE,
    topics: [topics.usageRecorded, topics.usageRejected],
    route: ingestionEventRouter(topics),
    mode: INGESTION_RELAY_MODE,
  };
}
