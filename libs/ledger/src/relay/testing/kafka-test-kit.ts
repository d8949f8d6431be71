// Test-only Kafka helpers for the relay and inbox integration tests (real broker).
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { kafkaBrokers, waitFor } from '@plafond/testing';

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

export async function createTopic(
  kafka: Kafka,
  topic: string,
  numPartitions: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Records in the topic: the sum of its partitions' high watermarks (the topic is fresh). */
export async function topicMessageCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce(
      (sum, partition) => sum + Number(partition.high) - Number(partition.low),
      0,
    );
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  message: KafkaMessage;
}

/** Reads every record of a fresh topic from the beginning, in partition order. */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<ReadRecord[]> {
  const expected = await topicMessageCount(kafka, topic);
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        records.push({ partition, message });
        return Promise.resolve();
      },
    });
    await waitFor(() => records.length >= expected, {
      timeoutMs: 60_000,
      description: `${expected} records of ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
