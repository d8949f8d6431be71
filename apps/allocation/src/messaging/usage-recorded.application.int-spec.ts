// The whole path on the real broker, with the application's UsageDebits: a usage.recorded
// CloudEvent produced twice debits the unit's account once, a usage the domain refuses and a
// garbage record become dead letters, and the debit goes back out on the allocation topic as
// org.plafond.allocation.usage_debited.v1 through the relay.
import {
  createUsageRecordedV1Event,
  decodeKafkaMessage,
  encodeKafkaMessage,
  parseAllocationEventV1,
  type UsageRecordedV1,
} from '@plafond/contracts';
import { waitFor } from '@plafond/testing';
import type { KafkaMessage, Message } from 'kafkajs';
import {
  applicationTableStatements,
  ApplicationModule,
  BudgetService,
  CLOCK,
  OrganisationService,
  UsageDebits,
  type CommandContext,
} from '../application';
import { accountStreamId } from '../domain';
import { AllocationRelay } from './allocation-relay';
import { DeadLetters } from '@plafond/platform';
import { createMessagingTestKit, type MessagingTestKit } from './testing/messaging-test-kit';
import { USAGE_RECORDED_ACTOR, UsageRecordedConsumer } from './usage-recorded.kafka.controller';

jest.setTimeout(120_000);

const NOW = new Date('2026-03-10T12:00:00.000Z');
const ADMIN: CommandContext = { actor: 'admin:k3x9q2m7p1aa' };
const BUDGET = 'energy-2026-03';

function recorded(id: string, overrides: Partial<UsageRecordedV1> = {}): Message {
  const data: UsageRecordedV1 = {
    unitId: 'team',
    useCase: 'chat',
    requests: 1n,
    inputTokens: 100n,
    energyMicroWh: 2_340_000n,
    carbonMicroGrams: 131_040_000n,
    factorSetVersion: 'fs-2026-03',
    method: 'modelled',
    occurredAt: '2026-03-10T11:00:00Z',
    reportedSource: 'urn:plafond:gateway:eu-1',
    reportedId: `reported-${id}`,
    ...overrides,
  };
  const event = createUsageRecordedV1Event({
    id,
    source: 'urn:plafond:ingestion',
    time: '2026-03-10T11:00:01Z',
    data,
  });
  return encodeKafkaMessage(event, { mode: 'binary' });
}

describe('usage.recorded → UsageDebits → allocation events, on a real broker', () => {
  let kit: MessagingTestKit;

  beforeAll(async () => {
    kit = await createMessagingTestKit({
      label: 'alloc_usage_app',
      usageDebits: UsageDebits,
      imports: [ApplicationModule],
      extraStatements: applicationTableStatements,
      overrides: [{ token: CLOCK, value: () => new Date(NOW) }],
    });
    const organisation = kit.moduleRef.get(OrganisationService);
    const budgets = kit.moduleRef.get(BudgetService);
    await organisation.createUnit(ADMIN, { unitId: 'org', parentId: null, name: 'Org' });
    await organisation.createUnit(ADMIN, { unitId: 'team', parentId: 'org', name: 'Team' });
    await budgets.open(ADMIN, {
      budgetId: BUDGET,
      perimeterUnitId: 'org',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 10_000_000n,
    });
    await budgets.allocate(ADMIN, BUDGET, {
      allocationId: 'round-1',
      amount: 10_000_000n,
      policies: {
        org: { rule: { kind: 'static', members: [{ childId: 'team', amount: '10000000' }] } },
      },
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('debits once per CloudEvent, dead-letters refusals and publishes the debit', async () => {
    const first = recorded('rec-1');
    const records: Message[] = [
      { key: 'team', value: Buffer.from('{"not":"a CloudEvent"}') },
      first,
      // Valid for the contract (identifiers up to 128 characters), refused by the domain (90).
      recorded('rec-long-use-case', { useCase: `u${'x'.repeat(99)}` }),
      { ...first }, // ingestion re-published the same event
      recorded('rec-2', { energyMicroWh: 60_000n }),
    ];
    const producer = kit.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: kit.topics.usageRecorded, acks: -1, messages: records });
    } finally {
      await producer.disconnect();
    }

    const consumer = kit.moduleRef.get(UsageRecordedConsumer);
    const admin = kit.kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(kit.topics.usageRecorded);
          const [committed] = await admin.fetchOffsets({
            groupId: consumer.groupId,
            topics: [kit.topics.usageRecorded],
          });
          return (
            ends.every(
              (end) =>
                end.high === '0' ||
                committed?.partitions.find((p) => p.partition === end.partition)?.offset ===
                  end.high,
            ) || undefined
          );
        },
        { timeoutMs: 60_000, description: 'the usage group to commit past every record' },
      );
    } finally {
      await admin.disconnect();
    }

    const accountEvents = await kit.store.readStream(accountStreamId(BUDGET, 'team'));
    const debits = accountEvents.filter((event) => event.type === 'UsageDebited');
    expect(debits.map((event) => event.data)).toEqual([
      expect.objectContaining({ usageId: 'urn:plafond:ingestion#rec-1', amount: '2340000' }),
      expect.objectContaining({ usageId: 'urn:plafond:ingestion#rec-2', amount: '60000' }),
    ]);
    expect(debits[0]?.metadata).toMatchObject({
      actor: USAGE_RECORDED_ACTOR,
      causationId: 'urn:plafond:ingestion#rec-1',
      partitionKey: 'team',
    });

    const { items } = await kit.moduleRef.get(DeadLetters).list();
    expect(items.map((item) => [item.offset, item.error.code])).toEqual([
      ['0', 'CLOUDEVENT.INVALID'],
      ['2', 'COMMAND.INVALID'],
    ]);
    expect(items[1]?.error.details).toMatchObject({ field: 'useCase' });

    // The relay publishes each debit once, as the public v1 event keyed by the unit.
    const relay = kit.moduleRef.get(AllocationRelay);
    relay.wake();
    await waitFor(async () => (await relay.lag()).eventsBehind === 0 || undefined, {
      timeoutMs: 30_000,
      description: 'the relay to pass the debits',
    });
    const published = await readAll(kit, kit.topics.allocationEvents);
    const debited = published
      .map((message) => ({ key: message.key?.toString(), event: decodeKafkaMessage(message) }))
      .filter(({ event }) => event.type === 'org.plafond.allocation.usage_debited.v1');
    expect(debited.map(({ key }) => key)).toEqual(['team', 'team']);
    const data = debited.map(({ event }) => {
      const parsed = parseAllocationEventV1(event);
      if (!parsed.ok || parsed.value.name !== 'UsageDebited') throw new Error('invalid event');
      return [parsed.value.data.usageId, parsed.value.data.amount];
    });
    expect(data).toEqual([
      ['urn:plafond:ingestion#rec-1', '2340000'],
      ['urn:plafond:ingestion#rec-2', '60000'],
    ]);
  });
});

/** Every record of a topic (fresh group from the beginning), once its end offsets are reached. */
async function readAll(kit: MessagingTestKit, topic: string): Promise<KafkaMessage[]> {
  const admin = kit.kafka.admin();
  await admin.connect();
  let expected: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    expected = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
  const messages: KafkaMessage[] = [];
  const reader = kit.kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  try {
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        messages.push(message);
        return Promise.resolve();
      },
    });
    await waitFor(() => messages.length >= expected, {
      timeoutMs: 60_000,
      description: `${expected} records of ${topic}`,
    });
  } finally {
    await reader.disconnect();
  }
  return messages;
}
