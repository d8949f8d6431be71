import { Kafka, logLevel } from 'kafkajs';

import { TOPIC_PREFIX, currentRunId, runStartedAtMs, topicPrefix, topicRunPrefix } from './run-id';

const STALE_AFTER_MS = 24 * 60 * 60 * 1_000;
const DELETE_BATCH_SIZE = 100;
const MAX_DELETES_PER_CLEANUP = 2_000;

/** A topic-name prefix unique to this call in this run, e.g. `t-<run>-<label>-<random>.`. */
export function uniqueTopicPrefix(label: string): string {
  return topicPrefix(currentRunId(), label);
}

export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

/**
 * Deletes the topics of `runId`, and those of runs that started over a day ago; other recent
 * runs' topics are left alone since those runs may still be going.
 */
export async function deleteTestTopics(
  brokers: string[],
  runId: string,
  nowMs: number = Date.now(),
): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'plafond-test-teardown',
    brokers,
    connectionTimeout: 3_000,
    retry: { retries: 2 },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ownPrefix = topicRunPrefix(runId);
    const doomed = (await admin.listTopics())
      .filter((topic) => {
        if (topic.startsWith(ownPrefix)) return true;
        if (!topic.startsWith(TOPIC_PREFIX)) return false;
        const startedAtMs = runStartedAtMs(
          topic.slice(TOPIC_PREFIX.length, TOPIC_PREFIX.length + 12),
        );
        return startedAtMs !== undefined && nowMs - startedAtMs > STALE_AFTER_MS;
      })
      .slice(0, MAX_DELETES_PER_CLEANUP);
    for (let start = 0; start < doomed.length; start += DELETE_BATCH_SIZE) {
      await admin.deleteTopics({
        topics: doomed.slice(start, start + DELETE_BATCH_SIZE),
        timeout: 30_000,
      });
    }
    return doomed;
  } finally {
    await admin.disconnect();
  }
}
