import { type Admin, ConfigResourceTypes, ConfigSource, Kafka, logLevel } from 'kafkajs';

import {
  type DesiredTopic,
  type ManagedConfigName,
  type ObservedTopic,
  planTopic,
  resolveDesiredTopics,
} from './topic-plan';
import {
  type ProvisionReport,
  type ProvisionTopicsOptions,
  type ProvisionableTopicSpec,
  type TopicProvisionResult,
  TopicProvisioningError,
} from './topic-provisioning.types';

const DEFAULT_TIMEOUT_MS = 30_000;
const MANAGED_CONFIGS: readonly ManagedConfigName[] = ['retention.ms', 'cleanup.policy'];
/** Another process may provision the same topic at the same moment (three services booting). */
const MAX_ATTEMPTS_PER_TOPIC = 6;
/**
 * Pause before attempt n+1 (250 ms, 500 ms, 1 s, 2 s, 2 s): a fresh or busy broker can answer a
 * create late, kafkajs then retries it into TOPIC_ALREADY_EXISTS, and the topic only shows in the
 * metadata a moment later; an immediate re-look would see it missing and race again.
 */
const retryDelayMs = (attempt: number): number => Math.min(2_000, 250 * 2 ** (attempt - 1));

/**
 * Brings every topic in `specs` to its spec: creates missing topics, raises partition counts
 * that are too low and sets `retention.ms` / `cleanup.policy`. Never deletes a topic and never
 * lowers partitions (reported as a warning instead). Safe to call any number of times, from
 * several processes at once.
 */
export async function provisionTopics(
  target: Admin | string | readonly string[],
  specs: readonly ProvisionableTopicSpec[],
  options: ProvisionTopicsOptions = {},
): Promise<ProvisionReport> {
  const desired = resolveDesiredTopics(specs, options.prefix ?? '');
  if (typeof target !== 'string' && !isStringArray(target)) {
    return provisionWithAdmin(target, desired, options);
  }
  const brokers =
    typeof target === 'string' ? target.split(',').map((broker) => broker.trim()) : [...target];
  const admin = new Kafka({
    clientId: options.clientId ?? 'plafond-topic-provisioning',
    brokers,
    // Failures surface as the thrown error; kafkajs would also log an expected creation race.
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new TopicProvisioningError(
      'KAFKA.PROVISIONING_FAILED',
      `cannot reach Kafka at ${brokers.join(',')}: ${describeError(error)}`,
      { cause: error },
    );
  }
  try {
    return await provisionWithAdmin(admin, desired, options);
  } finally {
    await admin.disconnect();
  }
}

function isStringArray(target: Admin | readonly string[]): target is readonly string[] {
  return Array.isArray(target);
}

async function provisionWithAdmin(
  admin: Admin,
  desired: readonly DesiredTopic[],
  options: ProvisionTopicsOptions,
): Promise<ProvisionReport> {
  if (desired.length === 0) return { topics: [], changed: false };
  const replicationFactor = options.replicationFactor ?? (await defaultReplicationFactor(admin));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const results: TopicProvisionResult[] = [];
  // One topic at a time: a handful of round trips each, and a failure names its topic.
  for (const topic of desired) {
    results.push(await provisionOne(admin, topic, replicationFactor, timeoutMs));
  }
  return { topics: results, changed: results.some((result) => result.action !== 'unchanged') };
}

async function defaultReplicationFactor(admin: Admin): Promise<number> {
  const { brokers } = await admin.describeCluster();
  return Math.max(1, Math.min(3, brokers.length));
}

async function provisionOne(
  admin: Admin,
  desired: DesiredTopic,
  replicationFactor: number,
  timeoutMs: number,
): Promise<TopicProvisionResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_TOPIC; attempt += 1) {
    try {
      return await applyStep(admin, desired, replicationFactor, timeoutMs);
    } catch (error) {
      if (error instanceof TopicProvisioningError) throw error;
      lastError = error;
      if (attempt < MAX_ATTEMPTS_PER_TOPIC) {
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  }
  throw new TopicProvisioningError(
    'KAFKA.PROVISIONING_FAILED',
    `${desired.topic}: gave up after ${MAX_ATTEMPTS_PER_TOPIC} attempts: ${describeError(lastError)}`,
    { cause: lastError },
  );
}

async function applyStep(
  admin: Admin,
  desired: DesiredTopic,
  replicationFactor: number,
  timeoutMs: number,
): Promise<TopicProvisionResult> {
  const step = planTopic(desired, await observeTopic(admin, desired.topic));
  if (step.kind === 'create') {
    const created = await admin.createTopics({
      topics: [
        {
          topic: desired.topic,
          numPartitions: desired.partitions,
          replicationFactor,
          configEntries: MANAGED_CONFIGS.map((name) => ({ name, value: desired.configs[name] })),
        },
      ],
      waitForLeaders: true,
      timeout: timeoutMs,
    });
    // false: someone else created it between our look and our create; reconcile on the next attempt.
    if (!created) throw new Error(`${desired.topic} appeared while being created`);
    return {
      topic: desired.topic,
      action: 'created',
      partitions: desired.partitions,
      configChanges: [],
      warnings: [],
    };
  }
  const { observed, raisePartitionsTo, configChanges, warnings } = step;
  if (raisePartitionsTo !== undefined) {
    await admin.createPartitions({
      topicPartitions: [{ topic: desired.topic, count: raisePartitionsTo }],
      timeout: timeoutMs,
    });
  }
  if (configChanges.length > 0) await setManagedConfigs(admin, desired);
  const changed = raisePartitionsTo !== undefined || configChanges.length > 0;
  return {
    topic: desired.topic,
    action: changed ? 'updated' : 'unchanged',
    partitions: raisePartitionsTo ?? observed.partitions,
    ...(raisePartitionsTo === undefined ? {} : { partitionsBefore: observed.partitions }),
    configChanges,
    warnings,
  };
}

async function observeTopic(admin: Admin, topic: string): Promise<ObservedTopic | undefined> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) return undefined;
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata.topics[0]?.partitions.length ?? 0;
  const described = await admin.describeConfigs({
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configNames: [...MANAGED_CONFIGS] },
    ],
    includeSynonyms: false,
  });
  const entries = described.resources[0]?.configEntries ?? [];
  return {
    topic,
    partitions,
    configs: new Map(entries.map((entry) => [entry.configName, entry.configValue])),
  };
}

/**
 * kafkajs only speaks the legacy AlterConfigs, which replaces every topic-level override at once.
 * Carry the overrides we do not manage over, so that an operator's tuning is not wiped.
 */
async function setManagedConfigs(admin: Admin, desired: DesiredTopic): Promise<void> {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: desired.topic }],
    includeSynonyms: false,
  });
  const overrides = (described.resources[0]?.configEntries ?? []).filter(
    (entry) =>
      entry.configSource === ConfigSource.TOPIC_CONFIG &&
      !entry.isSensitive &&
      !(MANAGED_CONFIGS as readonly string[]).includes(entry.configName),
  );
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: desired.topic,
        configEntries: [
          ...overrides.map((entry) => ({ name: entry.configName, value: entry.configValue })),
          ...MANAGED_CONFIGS.map((name) => ({ name, value: desired.configs[name] })),
        ],
      },
    ],
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
