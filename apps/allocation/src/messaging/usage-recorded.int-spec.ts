// On the real broker: usage.recorded records go through the inbox to the usage port exactly once
// (a CloudEvent produced twice applies once); records that can never apply — not a CloudEvent,
// another type, invalid data, a usage the domain refuses — become dead_letters rows, and the
// good records after them on the same partition are still applied.
//
// The port is a local implementation recording each application in a table inside the inbox
// transaction, so that what is asserted — exactly-once effect, rollback of a refused effect, dead
// letters — is the consumer's alone. usage-recorded.application.int-spec.ts runs the same path
// with the application's UsageDebits.
import { Injectable, Module } from '@nestjs/common';
import {
  createCloudEvent,
  createUsageRecordedV1Event,
  encodeKafkaMessage,
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_REPORTED_V1_TYPE,
  type UsageRecordedV1,
} from '@plafond/contracts';
import type { TransactionalEventStore } from '@plafond/ledger';
import { waitFor } from '@plafond/testing';
import type { Message } from 'kafkajs';
import { DomainError } from '../domain';
import { DeadLetters } from '@plafond/platform';
import { createMessagingTestKit, type MessagingTestKit } from './testing/messaging-test-kit';
import {
  USAGE_RECORDED_ACTOR,
  UsageRecordedConsumer,
  type UsageDebitsPort,
} from './usage-recorded.kafka.controller';

jest.setTimeout(120_000);

const REFUSED_USE_CASE = 'refused-by-domain';

@Injectable()
class RecordingUsageDebits implements UsageDebitsPort {
  async apply(
    tx: TransactionalEventStore,
    usage: UsageRecordedV1,
    context: { messageId: string; actor: string },
  ): Promise<unknown> {
    await tx.sql.query(
      `INSERT INTO public.usage_applied (message_id, unit_id, energy_micro_wh, actor)
       VALUES ($1, $2, $3, $4)`,
      [context.messageId, usage.unitId, usage.energyMicroWh.toString(), context.actor],
    );
    if (usage.useCase === REFUSED_USE_CASE) {
      throw new DomainError('COMMAND.INVALID', 'useCase is too long', {
        field: 'useCase',
        reason: 'too long',
      });
    }
    return [];
  }
}
@Module({ providers: [RecordingUsageDebits], exports: [RecordingUsageDebits] })
class RecordingApplicationModule {}

const UNIT = 'team-search';

function usage(overrides: Partial<UsageRecordedV1> = {}): UsageRecordedV1 {
  return {
    unitId: UNIT,
    useCase: 'support-chat',
    inputTokens: 1200n,
    outputTokens: 350n,
    requests: 1n,
    energyMicroWh: 2_340_000n,
    carbonMicroGrams: 131_040_000n,
    factorSetVersion: '2026-03.1',
    method: 'modelled',
    occurredAt: '2026-03-04T12:00:00Z',
    reportedSource: 'urn:plafond:gateway:eu-1',
    reportedId: 'b7f8c1e2-0001',
    ...overrides,
  };
}

function recorded(id: string, data: UsageRecordedV1, mode: 'binary' | 'structured'): Message {
  const event = createUsageRecordedV1Event({
    id,
    source: 'urn:plafond:ingestion',
    time: '2026-03-04T12:00:02Z',
    data,
  });
  return encodeKafkaMessage(event, { mode });
}

describe('usage.recorded consumer on a real broker', () => {
  let kit: MessagingTestKit;

  beforeAll(async () => {
    kit = await createMessagingTestKit({
      label: 'alloc_usage',
      usageDebits: RecordingUsageDebits,
      imports: [RecordingApplicationModule],
      extraStatements: () => [
        `CREATE TABLE public.usage_applied (
           message_id text NOT NULL, unit_id text NOT NULL, energy_micro_wh bigint NOT NULL,
           actor text NOT NULL
         )`,
      ],
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('applies each recorded usage once and dead-letters what can never apply', async () => {
    const invalidData = recorded('rec-bad-data', usage(), 'binary');
    // Quantities must be decimal strings in usage.recorded: a JSON number is invalid data.
    invalidData.value = Buffer.from(
      JSON.stringify({ ...JSON.parse(String(invalidData.value)), energyMicroWh: 2340000 }),
    );
    const wrongType = encodeKafkaMessage(
      createCloudEvent({
        id: 'rep-1',
        source: 'urn:plafond:gateway:eu-1',
        type: USAGE_REPORTED_V1_TYPE,
        datacontenttype: 'application/json',
        partitionkey: UNIT,
        data: { unitId: UNIT, useCase: 'support-chat', occurredAt: '2026-03-04T12:00:00Z' },
      }),
      { mode: 'binary' },
    );
    const first = recorded('rec-1', usage(), 'binary');
    // Everything keyed by the unit: one partition, in this order.
    const records: Message[] = [
      { key: UNIT, value: Buffer.from('not a CloudEvent'), headers: { trace: 'abc' } },
      wrongType,
      invalidData,
      recorded('rec-refused', usage({ useCase: REFUSED_USE_CASE }), 'binary'),
      first,
      { ...first }, // the same CloudEvent again (a re-publication by ingestion)
      recorded('rec-2', usage({ energyMicroWh: 5n, reportedId: 'r-2' }), 'structured'),
      // A factor-set correction shares the topic: acknowledged, neither applied nor dead-lettered.
      encodeKafkaMessage(
        createCloudEvent({
          id: 'adj-1',
          source: 'urn:plafond:ingestion',
          type: USAGE_ADJUSTED_V1_TYPE,
          datacontenttype: 'application/json',
          partitionkey: UNIT,
          data: {
            reportedSource: 'urn:plafond:gateway:eu-1',
            reportedId: 'b7f8c1e2-0001',
            recordedEventId: 'rec-1',
            unitId: UNIT,
            useCase: 'support-chat',
            occurredAt: '2026-03-04T12:00:00Z',
            method: 'modelled',
            fromFactorSetVersion: '2026-03.1',
            toFactorSetVersion: '2026-03.2',
            energyDeltaMicroWh: '-40000',
            carbonDeltaMicroGrams: '-2240000',
            energyMicroWh: '2300000',
            carbonMicroGrams: '128800000',
          },
        }),
        { mode: 'binary' },
      ),
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
      // The group commits past every record: nothing blocks the partition.
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(kit.topics.usageRecorded);
          const [committed] = await admin.fetchOffsets({
            groupId: consumer.groupId,
            topics: [kit.topics.usageRecorded],
          });
          const behind = ends.some((end) => {
            const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
            return end.high !== '0' && at !== end.high;
          });
          return !behind || undefined;
        },
        { timeoutMs: 60_000, description: 'the usage group to commit past every record' },
      );
    } finally {
      await admin.disconnect();
    }

    const applied = await kit.pool.query<{ message_id: string; energy: string; actor: string }>(
      `SELECT message_id, energy_micro_wh::text AS energy, actor FROM public.usage_applied
       ORDER BY message_id`,
    );
    expect(applied.rows).toEqual([
      { message_id: 'urn:plafond:ingestion#rec-1', energy: '2340000', actor: USAGE_RECORDED_ACTOR },
      { message_id: 'urn:plafond:ingestion#rec-2', energy: '5', actor: USAGE_RECORDED_ACTOR },
    ]);

    const deadLetters = kit.moduleRef.get(DeadLetters);
    const page = await deadLetters.list({ limit: 10 });
    expect(page.nextAfter).toBeNull();
    expect(
      page.items.map((item) => ({ offset: item.offset, code: item.error.code, key: item.key })),
    ).toEqual([
      { offset: '0', code: 'CLOUDEVENT.INVALID', key: UNIT },
      { offset: '1', code: 'MESSAGING.UNEXPECTED_TYPE', key: UNIT },
      { offset: '2', code: 'MESSAGING.INVALID_DATA', key: UNIT },
      { offset: '3', code: 'COMMAND.INVALID', key: UNIT },
    ]);
    const [garbage, wrong, invalid, refused] = page.items;
    expect(garbage).toMatchObject({
      consumer: consumer.groupId,
      topic: kit.topics.usageRecorded,
      headers: { trace: 'abc' },
      value: 'not a CloudEvent',
      valueBytes: 16,
      valueTruncated: false,
    });
    expect(wrong?.headers).toMatchObject({ ce_type: USAGE_REPORTED_V1_TYPE, ce_id: 'rep-1' });
    expect(invalid?.error.details).toEqual({
      type: 'org.plafond.usage.recorded.v1',
      issues: [expect.objectContaining({ path: 'data.energyMicroWh' })],
    });
    expect(refused?.error).toEqual({
      code: 'COMMAND.INVALID',
      message: 'useCase is too long',
      details: { field: 'useCase', reason: 'too long' },
    });

    // Paging, and the whole value of one dead letter.
    const firstPage = await deadLetters.list({ limit: 3 });
    expect(firstPage.items).toHaveLength(3);
    expect(firstPage.nextAfter).toBe(firstPage.items[2]?.id);
    const rest = await deadLetters.list({ limit: 3, after: firstPage.nextAfter ?? undefined });
    expect(rest).toEqual({ items: [page.items[3]], nextAfter: null });
    expect(await deadLetters.get(garbage?.id ?? '')).toEqual(garbage);
    expect(await deadLetters.get('999999')).toBeNull();

    expect(consumer.status()).toMatchObject({ state: 'running', topic: kit.topics.usageRecorded });
  });

  it('applies nothing twice when the group reads the topic again after a restart', async () => {
    const consumer = kit.moduleRef.get(UsageRecordedConsumer);
    await consumer.stop();
    expect(consumer.status().state).toBe('stopped');
    // The same records once more: the inbox, not the offsets, makes them no-ops.
    const again = recorded('rec-1', usage(), 'structured');
    const producer = kit.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: kit.topics.usageRecorded, acks: -1, messages: [again] });
    } finally {
      await producer.disconnect();
    }
    consumer.start();
    await waitFor(() => consumer.status().state === 'running' || undefined, {
      timeoutMs: 30_000,
      description: 'the consumer to rejoin',
    });
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
          const total = (list: readonly { offset: string }[] | undefined) =>
            (list ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
          return total(committed?.partitions) === total(ends.map((e) => ({ offset: e.high })));
        },
        { timeoutMs: 60_000, description: 'the group to commit past the new record' },
      );
    } finally {
      await admin.disconnect();
    }
    const { rows } = await kit.pool.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM public.usage_applied`,
    );
    expect(rows[0]?.count).toBe('2');
    await kit.closeApp();
    expect(consumer.status().state).toBe('stopped');
  });
});
