import { decodeKafkaMessage } from '@plafond/contracts';
import type { KafkaMessage } from 'kafkajs';

/**
 * Inbox key of a CloudEvent carried by Kafka (binary or structured mode). CloudEvents makes
 * `source` + `id` unique, so both are part of it. A message that is not a valid CloudEvent
 * throws `CLOUDEVENT.INVALID`.
 */
export function cloudEventMessageId(
  message: Pick<KafkaMessage, 'headers' | 'value' | 'key'>,
): string {
  const event = decodeKafkaMessage(message);
  return `${event.source}#${event.id}`;
}
