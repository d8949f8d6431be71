// Evidence for the inbox.after-commit phases: the state a crash between the inbox commit and the
// offset commit leaves is messages whose effect is in the inbox while the consumer group's
// committed offset is still before them — Kafka will deliver them again, and the inbox must turn
// them into no-ops. This reads the topic (a throwaway consumer group, from the beginning) and
// returns the inbox keys of those messages.
import { cloudEventMessageId } from '@plafond/ledger';
import { waitFor } from '@plafond/testing';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { FaultSystem } from './fault-system';

export interface InboxConsumerRef {
  /** Ledger schema of the consuming service (its `inbox` table). */
  readonly schema: 'allocation' | 'billing' | 'ingestion';
  /** Consumer group id; also the inbox's consumer name. */
  readonly groupId: string;
  readonly topic: string;
}

const READ_BOUND_MS = 60_000;

/** Inbox keys of messages already applied but at or after the group's committed offset. */
export async function appliedButUncommitted(
  system: FaultSystem,
  ref: InboxConsumerRef,
): Promise<string[]> {
  const kafka = new Kafka({
    clientId: `${system.topicPrefix}fault-reader`,
    brokers: [...system.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let ends;
  let committed;
  try {
    ends = await admin.fetchTopicOffsets(ref.topic);
    [committed] = await admin.fetchOffsets({ groupId: ref.groupId, topics: [ref.topic] });
  } finally {
    await admin.disconnect();
  }
  const from = new Map(
    ends.map((end) => {
      const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
      return [end.partition, at === undefined || at === '-1' ? BigInt(end.low) : BigInt(at)];
    }),
  );
  const pending = ends.filter((end) => (from.get(end.partition) ?? 0n) < BigInt(end.high));
  if (pending.length === 0) return [];

  const seen = new Map<number, bigint>();
  const keys: string[] = [];
  const consumer = kafka.consumer({ groupId: `${system.topicPrefix}fault-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [ref.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const offset = BigInt(message.offset);
        seen.set(partition, offset);
        if (offset >= (from.get(partition) ?? 0n)) keys.push(cloudEventMessageId(message));
        return Promise.resolve();
      },
    });
    await waitFor(
      () =>
        pending.every((end) => (seen.get(end.partition) ?? -1n) >= BigInt(end.high) - 1n) ||
        undefined,
      { timeoutMs: READ_BOUND_MS, intervalMs: 100, description: `${ref.topic} read to its end` },
    );
  } finally {
    await consumer.disconnect();
  }
  if (keys.length === 0) return [];
  const rows = await system.sql<{ message_id: string }>(
    `SELECT message_id FROM ${ref.schema}.inbox WHERE consumer = $1 AND message_id = ANY($2)`,
    [ref.groupId, keys],
  );
  return rows.map((row) => row.message_id);
}
