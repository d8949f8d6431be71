import {
  type ConfigChange,
  type ProvisionableTopicSpec,
  TopicProvisioningError,
} from './topic-provisioning.types';

/** Bounds on one provisioning call; a catalogue beyond them is a mistake, not a workload. */
export const TOPIC_PROVISIONING_LIMITS = {
  maxTopics: 500,
  maxPartitions: 1_000,
  /** Kafka's own limit on a topic name. */
  maxNameLength: 249,
} as const;

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** The topic-level configuration provisioning owns; anything else on a topic is left alone. */
export type ManagedConfigName = 'retention.ms' | 'cleanup.policy';

export interface DesiredTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<ManagedConfigName, string>>;
}

export interface ObservedTopic {
  readonly topic: string;
  readonly partitions: number;
  /** Effective values as the broker reports them (topic override or inherited default). */
  readonly configs: ReadonlyMap<string, string>;
}

export type TopicStep =
  | { readonly kind: 'create'; readonly desired: DesiredTopic }
  | {
      readonly kind: 'reconcile';
      readonly desired: DesiredTopic;
      readonly observed: ObservedTopic;
      /** Set when the topic has fewer partitions than desired. */
      readonly raisePartitionsTo?: number;
      readonly configChanges: readonly ConfigChange[];
      readonly warnings: readonly string[];
    };

function invalid(detail: string): TopicProvisioningError {
  return new TopicProvisioningError('KAFKA.TOPIC_SPEC_INVALID', detail);
}

function checkTopicName(topic: string): void {
  if (topic.length === 0 || topic.length > TOPIC_PROVISIONING_LIMITS.maxNameLength) {
    throw invalid(
      `topic name "${topic}" must have 1 to ${TOPIC_PROVISIONING_LIMITS.maxNameLength} characters`,
    );
  }
  if (!LEGAL_TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw invalid(`topic name "${topic}" may only contain ASCII letters, digits, '.', '_' and '-'`);
  }
}

function checkSpec(spec: ProvisionableTopicSpec, topic: string): void {
  const { partitions, retentionMs, cleanupPolicy } = spec;
  if (
    !Number.isSafeInteger(partitions) ||
    partitions < 1 ||
    partitions > TOPIC_PROVISIONING_LIMITS.maxPartitions
  ) {
    throw invalid(
      `${topic}: partitions must be an integer from 1 to ${TOPIC_PROVISIONING_LIMITS.maxPartitions}, got ${partitions}`,
    );
  }
  if (!Number.isSafeInteger(retentionMs) || (retentionMs < 1 && retentionMs !== -1)) {
    throw invalid(
      `${topic}: retentionMs must be -1 (forever) or a positive integer, got ${retentionMs}`,
    );
  }
  if (cleanupPolicy !== 'delete' && cleanupPolicy !== 'compact') {
    throw invalid(
      `${topic}: cleanupPolicy must be 'delete' or 'compact', got ${String(cleanupPolicy)}`,
    );
  }
}

/** Validates the specs and applies the prefix; throws `KAFKA.TOPIC_SPEC_INVALID` on the first problem. */
export function resolveDesiredTopics(
  specs: readonly ProvisionableTopicSpec[],
  prefix: string,
): DesiredTopic[] {
  if (specs.length > TOPIC_PROVISIONING_LIMITS.maxTopics) {
    throw invalid(
      `at most ${TOPIC_PROVISIONING_LIMITS.maxTopics} topics per call, got ${specs.length}`,
    );
  }
  if (prefix !== '' && !LEGAL_TOPIC_NAME.test(prefix)) {
    throw invalid(`prefix "${prefix}" may only contain ASCII letters, digits, '.', '_' and '-'`);
  }
  const seen = new Set<string>();
  return specs.map((spec) => {
    const topic = prefix + spec.name;
    checkTopicName(topic);
    checkSpec(spec, topic);
    if (seen.has(topic)) throw invalid(`topic "${topic}" is listed twice`);
    seen.add(topic);
    return {
      topic,
      partitions: spec.partitions,
      configs: { 'retention.ms': String(spec.retentionMs), 'cleanup.policy': spec.cleanupPolicy },
    };
  });
}

/** Pure: what to do to bring one topic to its spec. Never deletes and never lowers partitions. */
export function planTopic(desired: DesiredTopic, observed: ObservedTopic | undefined): TopicStep {
  if (observed === undefined) return { kind: 'create', desired };
  const warnings: string[] = [];
  let raisePartitionsTo: number | undefined;
  if (observed.partitions < desired.partitions) {
    raisePartitionsTo = desired.partitions;
  } else if (observed.partitions > desired.partitions) {
    warnings.push(
      `${desired.topic} has ${observed.partitions} partitions, more than the ${desired.partitions} specified; Kafka cannot lower it`,
    );
  }
  const configChanges: ConfigChange[] = [];
  for (const [name, to] of Object.entries(desired.configs)) {
    const from = observed.configs.get(name);
    if (from !== to) configChanges.push({ name, from, to });
  }
  return { kind: 'reconcile', desired, observed, raisePartitionsTo, configChanges, warnings };
}
