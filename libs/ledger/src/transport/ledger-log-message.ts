import { encodeKafkaMessage, type KafkaContentMode } from '@plafond/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { InboxKafkaMessage } from '../inbox/inbox.kafka-consumer';
import { toLedgerCloudEvent, type RelayRoute } from '../relay/ledger-cloud-event';
import type { RecordedEvent } from '../types';

/**
 * The record a Kafka consumer would have received for `event` once the producer's relay had
 * published it under `route`: the same CloudEvent (`toLedgerCloudEvent`, the relay's mapping) in
 * the same content mode, so key, value and headers are byte for byte those of the topic.
 *
 * What only a broker knows is stood in for by the ledger: one partition (0), the ledger global
 * position as offset (unique per producer, so dead letters keyed by offset stay unique), and the
 * commit time as timestamp.
 */
export function ledgerLogDelivery(
  event: RecordedEvent,
  route: RelayRoute,
  source: string,
  mode: KafkaContentMode,
): InboxKafkaMessage {
  const encoded = encodeKafkaMessage(toLedgerCloudEvent(event, route, source), { mode });
  const headers: IHeaders = {};
  // kafkajs hands header values to consumers as Buffers.
  for (const [name, value] of Object.entries(encoded.headers)) {
    headers[name] = Buffer.from(value, 'utf8');
  }
  const message: KafkaMessage = {
    key: encoded.key === null ? null : Buffer.from(encoded.key, 'utf8'),
    value: encoded.value,
    headers,
    timestamp: event.recordedAt.getTime().toString(),
    attributes: 0,
    offset: event.globalPosition.toString(),
  };
  return { topic: route.topic, partition: 0, message };
}
