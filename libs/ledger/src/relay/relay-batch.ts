import { encodeKafkaMessage, type KafkaContentMode } from '@plafond/contracts';
import type { Message, TopicMessages } from 'kafkajs';
import type { RecordedEvent } from '../types';
import { toLedgerCloudEvent, type RelayRouter } from './ledger-cloud-event';

export interface RelayBatch {
  /** One entry per topic, messages in commit order, so per-key order is the ledger's order. */
  topicMessages: TopicMessages[];
  messageCount: number;
}

/** Maps a batch of ledger events to Kafka messages; events routed to `null` are left out. */
export function buildRelayBatch(
  events: readonly RecordedEvent[],
  route: RelayRouter,
  source: string,
  mode: KafkaContentMode,
): RelayBatch {
  const byTopic = new Map<string, Message[]>();
  let messageCount = 0;
  for (const event of events) {
    const target = route(event);
    if (target === null) continue;
    const encoded = encodeKafkaMessage(toLedgerCloudEvent(event, target, source), { mode });
    let messages = byTopic.get(target.topic);
    if (messages === undefined) {
      messages = [];
      byTopic.set(target.topic, messages);
    }
    messages.push({ key: encoded.key, value: encoded.value, headers: encoded.headers });
    messageCount += 1;
  }
  return {
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    messageCount,
  };
}
