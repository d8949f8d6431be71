import { TOPIC_CATALOG, topicName } from '@plafond/contracts';
import { uniqueTopicPrefix } from '@plafond/testing';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';

import { provisionTopics } from './provision-topics';
import type { ProvisionableTopicSpec } from './topic-provisioning.types';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const usageRecorded: ProvisionableTopicSpec = {
  name: 'plafond.usage.recorded.v1',
  partitions: 3,
  retentionMs: 604_800_000,
  cleanupPolicy: 'delete',
};
const unitsCompacted: ProvisionableTopicSpec = {
  name: 'plafond.units.v1',
  partitions: 2,
  retentionMs: -1,
  cleanupPolicy: 'compact',
};
const specs = [usageRecorded, unitsCompacted];

let admin: Admin;

beforeAll(async () => {
  admin = new Kafka({
    clientId: 'provision-topics-int-spec',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

async function partitionCount(topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]?.partitions.length ?? 0;
}

async function topicConfig(topic: string): Promise<Record<string, string>> {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const entries = described.resources[0]?.configEntries ?? [];
  return Object.fromEntries(entries.map((entry) => [entry.configName, entry.configValue]));
}

describe('provisionTopics on a real broker', () => {
  it('creates missing topics with the specified partitions, retention and cleanup policy', async () => {
    const prefix = uniqueTopicPrefix('provision-create');

    const report = await provisionTopics(admin, specs, { prefix });

    expect(report.changed).toBe(true);
    expect(report.topics.map((topic) => [topic.topic, topic.action])).toEqual([
      [`${prefix}plafond.usage.recorded.v1`, 'created'],
      [`${prefix}plafond.units.v1`, 'created'],
    ]);
    expect(await partitionCount(`${prefix}plafond.usage.recorded.v1`)).toBe(3);
    expect(await partitionCount(`${prefix}plafond.units.v1`)).toBe(2);
    expect(await topicConfig(`${prefix}plafond.usage.recorded.v1`)).toMatchObject({
      'retention.ms': '604800000',
      'cleanup.policy': 'delete',
    });
    expect(await topicConfig(`${prefix}plafond.units.v1`)).toMatchObject({
      'retention.ms': '-1',
      'cleanup.policy': 'compact',
    });
  });

  it('changes nothing when called again', async () => {
    const prefix = uniqueTopicPrefix('provision-again');
    await provisionTopics(admin, specs, { prefix });

    const second = await provisionTopics(brokers, specs, { prefix });

    expect(second.changed).toBe(false);
    expect(second.topics.map((topic) => topic.action)).toEqual(['unchanged', 'unchanged']);
    expect(second.topics.map((topic) => topic.partitions)).toEqual([3, 2]);
  });

  it('raises partitions that are too few, and never lowers them', async () => {
    const prefix = uniqueTopicPrefix('provision-partitions');
    await provisionTopics(admin, [usageRecorded], { prefix });
    const topic = `${prefix}plafond.usage.recorded.v1`;

    const raised = await provisionTopics(admin, [{ ...usageRecorded, partitions: 5 }], { prefix });
    expect(raised.topics[0]).toMatchObject({
      action: 'updated',
      partitionsBefore: 3,
      partitions: 5,
    });
    expect(await partitionCount(topic)).toBe(5);

    const lower = await provisionTopics(admin, [usageRecorded], { prefix });
    expect(lower.topics[0]).toMatchObject({ action: 'unchanged', partitions: 5 });
    expect(lower.topics[0]?.warnings).toEqual([expect.stringContaining('5 partitions')]);
    expect(await partitionCount(topic)).toBe(5);
  });

  it('puts drifted configuration back and keeps overrides it does not manage', async () => {
    const prefix = uniqueTopicPrefix('provision-drift');
    await provisionTopics(admin, [usageRecorded], { prefix });
    const topic = `${prefix}plafond.usage.recorded.v1`;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'retention.ms', value: '1000' },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'max.message.bytes', value: '2097152' },
          ],
        },
      ],
    });

    const report = await provisionTopics(admin, [usageRecorded], { prefix });

    expect(report.topics[0]).toMatchObject({
      action: 'updated',
      configChanges: [{ name: 'retention.ms', from: '1000', to: '604800000' }],
    });
    expect(await topicConfig(topic)).toMatchObject({
      'retention.ms': '604800000',
      'cleanup.policy': 'delete',
      'max.message.bytes': '2097152',
    });
  });

  it('lets several processes provision the same topics at once', async () => {
    const prefix = uniqueTopicPrefix('provision-race');

    const reports = await Promise.all(
      [1, 2, 3].map(() => provisionTopics(brokers, specs, { prefix })),
    );

    const created = reports
      .flatMap((report) => report.topics)
      .filter((topic) => topic.action === 'created');
    expect(created.map((topic) => topic.topic).sort()).toEqual([
      `${prefix}plafond.units.v1`,
      `${prefix}plafond.usage.recorded.v1`,
    ]);
    expect(await partitionCount(`${prefix}plafond.usage.recorded.v1`)).toBe(3);
  });

  it('provisions the whole catalogue of @plafond/contracts as specified', async () => {
    const prefix = uniqueTopicPrefix('provision-catalog');

    const report = await provisionTopics(admin, TOPIC_CATALOG, { prefix });

    expect(report.topics.map((topic) => topic.action)).toEqual(TOPIC_CATALOG.map(() => 'created'));
    for (const spec of TOPIC_CATALOG) {
      const topic = topicName(spec, prefix);
      expect(await partitionCount(topic)).toBe(spec.partitions);
      expect(await topicConfig(topic)).toMatchObject({
        'retention.ms': String(spec.retentionMs),
        'cleanup.policy': spec.cleanupPolicy,
      });
    }
  });
});
