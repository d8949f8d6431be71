import { DEFAULT_PARTITIONS, TOPICS, TOPIC_CATALOG, TopicNameError, topicName } from './topics';

const DAY_MS = 86_400_000;

describe('topic catalog', () => {
  it('names every topic with a plafond prefix and a version suffix', () => {
    for (const spec of TOPIC_CATALOG) expect(spec.name).toMatch(/^plafond\.[a-z.]+\.v\d+$/);
  });

  it('lists each topic once, under the key it is catalogued by', () => {
    const names = TOPIC_CATALOG.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [key, spec] of Object.entries(TOPICS)) expect(spec.key).toBe(key);
    expect(TOPIC_CATALOG).toHaveLength(Object.keys(TOPICS).length);
  });

  it('holds the names the services and provisioning rely on', () => {
    expect(TOPIC_CATALOG.map((spec) => spec.name)).toEqual([
      'plafond.usage.raw.v1',
      'plafond.usage.recorded.v1',
      'plafond.usage.rejected.v1',
      'plafond.allocation.events.v1',
      'plafond.billing.events.v1',
    ]);
  });

  it('keeps the durable record forever and transient input for a bounded time', () => {
    expect(TOPICS.usageRaw.retentionMs).toBe(7 * DAY_MS);
    expect(TOPICS.usageRejected.retentionMs).toBe(30 * DAY_MS);
    expect(TOPICS.usageRecorded.retentionMs).toBe(-1);
    expect(TOPICS.allocationEvents.retentionMs).toBe(-1);
    expect(TOPICS.billingEvents.retentionMs).toBe(-1);
  });

  it('spreads every topic over the default partitions, deleting (never compacting) old data', () => {
    for (const spec of TOPIC_CATALOG) {
      expect(spec.partitions).toBe(DEFAULT_PARTITIONS);
      expect(spec.cleanupPolicy).toBe('delete');
      expect(spec.description.length).toBeGreaterThan(0);
    }
  });
});

describe('topicName', () => {
  it('prepends the prefix', () => {
    expect(topicName(TOPICS.usageRecorded)).toBe('plafond.usage.recorded.v1');
    expect(topicName(TOPICS.usageRecorded, 't-abc-ingestion.')).toBe(
      't-abc-ingestion.plafond.usage.recorded.v1',
    );
  });

  it.each(['bad prefix ', 'ünïcode.', 'x'.repeat(240)])(
    'refuses a prefix that makes the name illegal for Kafka: %p',
    (prefix) => {
      expect(() => topicName(TOPICS.usageRaw, prefix)).toThrow(TopicNameError);
    },
  );

  it('carries a stable code', () => {
    expect(() => topicName(TOPICS.usageRaw, '/')).toThrow(
      expect.objectContaining({ code: 'TOPIC.INVALID_NAME' }),
    );
  });
});
