// On the real broker: the relay started with the application publishes the public allocation
// events as binary CloudEvents on the allocation topic (type, id, key, data as in the contract)
// and keeps reservation events inside the service.
import { Injectable, Module } from '@nestjs/common';
import {
  ALLOCATION_EVENTS_SOURCE,
  allocationEventTypeV1,
  decodeKafkaMessage,
  parseAllocationEventV1,
} from '@plafond/contracts';
import type { EventToAppend, RecordedEvent } from '@plafond/ledger';
import { waitFor } from '@plafond/testing';
import type { KafkaMessage } from 'kafkajs';
import type { AccountEvent, BudgetEvent, OrganisationEvent } from '../domain';
import { AllocationRelay } from './allocation-relay';
import { createMessagingTestKit, type MessagingTestKit } from './testing/messaging-test-kit';
import type { UsageDebitsPort } from './usage-recorded.kafka.controller';

jest.setTimeout(120_000);

@Injectable()
class UnusedUsageDebits implements UsageDebitsPort {
  apply(): Promise<unknown> {
    return Promise.reject(new Error('no usage in this test'));
  }
}
@Module({ providers: [UnusedUsageDebits], exports: [UnusedUsageDebits] })
class NoUsageModule {}

const metadata = (partitionKey: string) => ({
  actor: 'apikey:ak_test',
  occurredAt: '2026-03-01T08:00:00.000Z',
  partitionKey,
});

function event<E extends OrganisationEvent | BudgetEvent | AccountEvent>(
  domainEvent: E,
  partitionKey: string,
): EventToAppend {
  return { type: domainEvent.type, data: domainEvent.data, metadata: metadata(partitionKey) };
}

const account = { budgetId: 'b-2026-03', unitId: 'team-search' };

async function readRecords(kit: MessagingTestKit, count: number): Promise<KafkaMessage[]> {
  const records: KafkaMessage[] = [];
  const consumer = kit.kafka.consumer({
    groupId: `${kit.topics.allocationEvents}.reader`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [kit.topics.allocationEvents], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        records.push(message);
        return Promise.resolve();
      },
    });
    await waitFor(() => records.length >= count, {
      timeoutMs: 60_000,
      description: `${count} allocation events on the topic`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

async function topicRecordCount(kit: MessagingTestKit): Promise<number> {
  const admin = kit.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(kit.topics.allocationEvents);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('allocation relay on a real broker', () => {
  let kit: MessagingTestKit;

  beforeAll(async () => {
    kit = await createMessagingTestKit({
      label: 'alloc_relay',
      usageDebits: UnusedUsageDebits,
      imports: [NoUsageModule],
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('publishes public events as CloudEvents and keeps reservations inside', async () => {
    const { store } = kit;
    await store.appendToStream('organisation', [
      event<OrganisationEvent>(
        { type: 'UnitCreated', data: { unitId: 'org', parentId: null, name: 'Org' } },
        'org',
      ),
      event<OrganisationEvent>(
        {
          type: 'UnitCreated',
          data: { unitId: 'team-search', parentId: 'org', name: 'Search' },
        },
        'team-search',
      ),
    ]);
    await store.appendToStream('budget-b-2026-03', [
      event<BudgetEvent>(
        {
          type: 'BudgetOpened',
          data: {
            budgetId: 'b-2026-03',
            perimeterUnitId: 'org',
            dimension: 'energy',
            period: {
              kind: 'month',
              key: '2026-03',
              timeZone: 'UTC',
              startsAt: '2026-03-01T00:00:00.000Z',
              endsAt: '2026-04-01T00:00:00.000Z',
            },
            ceiling: '9007199254740993',
            mode: 'hard',
            thresholdsBasisPoints: [5_000, 8_000, 10_000],
          },
        },
        'org',
      ),
    ]);
    await store.appendToStream('account-9:b-2026-03:team-search', [
      event<AccountEvent>(
        {
          type: 'QuotaReserved',
          data: {
            ...account,
            reservationId: 'r-1',
            amount: '100',
            useCase: 'support-chat',
            usefulnessClass: 'essential',
            timeoutMs: 60_000,
            expiresAt: '2026-03-01T08:01:00.000Z',
            available: '900',
          },
        },
        'team-search',
      ),
      event<AccountEvent>(
        {
          type: 'ReservationCommitted',
          data: {
            ...account,
            reservationId: 'r-1',
            reservedAmount: '100',
            committedAmount: '80',
            releasedAmount: '20',
            usefulnessClass: 'essential',
            usageId: null,
          },
        },
        'team-search',
      ),
      event<AccountEvent>(
        {
          type: 'UsageDebited',
          data: {
            ...account,
            usageId: 'urn:plafond:ingestion#rec-1',
            amount: '80',
            overrunAmount: '0',
            useCase: 'support-chat',
            usefulnessClass: 'essential',
            reservationId: 'r-1',
            flag: null,
            occurredAt: '2026-03-01T08:00:30.000Z',
          },
        },
        'team-search',
      ),
    ]);
    const relay = kit.moduleRef.get(AllocationRelay);
    relay.wake();

    const { events } = await store.readAll({ maxCount: 100 });
    const published = events.filter((recorded) =>
      ['UnitCreated', 'BudgetOpened', 'UsageDebited'].includes(recorded.type),
    );
    expect(published).toHaveLength(4);
    const records = await readRecords(kit, published.length);
    // Everything the ledger holds has been relayed, and only the public events are on the topic.
    await waitFor(async () => (await relay.lag()).eventsBehind === 0, {
      timeoutMs: 30_000,
      description: 'the relay to pass the last event',
    });
    expect(await topicRecordCount(kit)).toBe(published.length);

    const byId = new Map<string, RecordedEvent>(published.map((e) => [e.eventId, e]));
    for (const record of records) {
      expect(record.headers?.['content-type']?.toString()).toBe('application/json');
      const cloudEvent = decodeKafkaMessage(record);
      const ledgerEvent = byId.get(cloudEvent.id);
      if (ledgerEvent === undefined) throw new Error(`unexpected event ${cloudEvent.id}`);
      const parsed = parseAllocationEventV1(cloudEvent);
      expect(parsed).toMatchObject({ ok: true, value: { name: ledgerEvent.type } });
      expect(cloudEvent).toMatchObject({
        source: ALLOCATION_EVENTS_SOURCE,
        type: allocationEventTypeV1(ledgerEvent.type),
        subject: ledgerEvent.streamId,
        time: '2026-03-01T08:00:00.000Z',
        partitionkey: ledgerEvent.metadata.partitionKey,
        ledgerposition: ledgerEvent.globalPosition.toString(),
        data: ledgerEvent.data,
      });
      expect(record.key?.toString()).toBe(ledgerEvent.metadata.partitionKey);
    }
    expect(records.map((record) => record.headers?.ce_type?.toString()).sort()).toEqual(
      [
        'org.plafond.allocation.budget_opened.v1',
        'org.plafond.allocation.unit_created.v1',
        'org.plafond.allocation.unit_created.v1',
        'org.plafond.allocation.usage_debited.v1',
      ].sort(),
    );
    expect(relay.status()).toMatchObject({
      state: 'running',
      topic: kit.topics.allocationEvents,
      subscription: { state: 'running', eventsProcessed: events.length },
    });
  });

  it('stops with the application', async () => {
    const relay = kit.moduleRef.get(AllocationRelay);
    await kit.closeApp();
    expect(relay.status()).toMatchObject({ state: 'stopped', subscription: { state: 'stopped' } });
  });
});
