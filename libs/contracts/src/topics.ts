/**
 * The Kafka topics of Plafond. Names carry a version: an incompatible change to a topic's
 * messages means a new topic (`.v2`) next to the old one, never a silent change in place.
 * Every message is a CloudEvent keyed by unit id, so one unit's events stay in order.
 * Provisioning (partitions, retention, cleanup policy) reads this catalog; nothing else
 * should spell a topic name.
 */
export interface TopicSpec {
  readonly key: string;
  readonly name: string;
  readonly partitions: number;
  /** `retention.ms`; -1 keeps messages forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  readonly description: string;
}

export const DEFAULT_PARTITIONS = 6;
export const RETAIN_FOREVER = -1;
const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  usageRaw: {
    key: 'usageRaw',
    name: 'plafond.usage.raw.v1',
    partitions: DEFAULT_PARTITIONS,
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    description:
      'Usage reported by integrators (org.plafond.usage.reported.v1), structured or binary ' +
      'CloudEvents; ingestion consumes it. Short retention: recorded usage is the durable copy.',
  },
  usageRecorded: {
    key: 'usageRecorded',
    name: 'plafond.usage.recorded.v1',
    partitions: DEFAULT_PARTITIONS,
    retentionMs: RETAIN_FOREVER,
    cleanupPolicy: 'delete',
    description:
      'Validated, deduplicated usage with energy and carbon (org.plafond.usage.recorded.v1), ' +
      'published by ingestion; allocation and billing consume it. Kept for replay and audit.',
  },
  usageRejected: {
    key: 'usageRejected',
    name: 'plafond.usage.rejected.v1',
    partitions: DEFAULT_PARTITIONS,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    description:
      'Usage that ingestion refused, with the original payload and the reasons, so nothing ' +
      'is dropped silently. Kept 30 days for integrators to inspect and resend.',
  },
  allocationEvents: {
    key: 'allocationEvents',
    name: 'plafond.allocation.events.v1',
    partitions: DEFAULT_PARTITIONS,
    retentionMs: RETAIN_FOREVER,
    cleanupPolicy: 'delete',
    description:
      'Public events of the allocation service (units, use cases, classes, budgets, ' +
      'allocations, debits, overruns, thresholds; not reservations, see docs/events.md); ' +
      'ingestion and billing consume them.',
  },
  billingEvents: {
    key: 'billingEvents',
    name: 'plafond.billing.events.v1',
    partitions: DEFAULT_PARTITIONS,
    retentionMs: RETAIN_FOREVER,
    cleanupPolicy: 'delete',
    description: 'Events of the billing service (charges, statements, period closes).',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export const TOPIC_CATALOG: readonly TopicSpec[] = Object.values(TOPICS);

/** Kafka's own limits on a topic name. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class TopicNameError extends Error {
  override readonly name = 'TopicNameError';
  readonly code = 'TOPIC.INVALID_NAME';
}

/**
 * The topic's name on the broker. A prefix isolates environments or test runs
 * (`t-<run>-ingestion.plafond.usage.raw.v1`); it must keep the name legal for Kafka.
 */
export function topicName(spec: TopicSpec, prefix = ''): string {
  const name = `${prefix}${spec.name}`;
  if (!TOPIC_NAME.test(name)) {
    throw new TopicNameError(
      `topic name "${name}" must be 1-249 characters of letters, digits, ".", "_" or "-"`,
    );
  }
  return name;
}
