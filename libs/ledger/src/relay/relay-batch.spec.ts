import { decodeKafkaMessage } from '@plafond/contracts';
import type { KafkaMessage } from 'kafkajs';
import { cloudEventMessageId } from '../inbox/cloud-event-id';
import type { RecordedEvent } from '../types';
import { eventTimeOf, partitionKeyOf } from './ledger-cloud-event';
import { buildRelayBatch } from './relay-batch';

function recorded(position: number, overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    streamId: `budget-${position % 2}`,
    streamVersion: BigInt(position),
    globalPosition: BigInt(position),
    transactionId: 900n + BigInt(position),
    type: 'QuotaReserved',
    data: { amountMicroWh: String(position * 1_000) },
    metadata: {
      partitionKey: `unit-${position % 3}`,
      occurredAt: '2025-03-01T08:00:00Z',
      correlationId: 'c-1',
    },
    recordedAt: new Date('2025-03-01T08:00:01.000Z'),
    hash: 'ab'.repeat(32),
    ...overrides,
  };
}

const asKafkaMessage = (message: { key?: unknown; value: unknown; headers?: unknown }) =>
  message as KafkaMessage;

describe('relay batch', () => {
  const events = [1, 2, 3, 4, 5, 6].map((position) => recorded(position));

  it.each(['binary', 'structured'] as const)(
    'encodes ledger events as CloudEvents (%s mode)',
    (mode) => {
      const batch = buildRelayBatch(
        events,
        () => ({ topic: 'allocation.v1', type: 'plafond.quota-reserved.v1' }),
        '/plafond/allocation',
        mode,
      );
      expect(batch.messageCount).toBe(6);
      const [topic] = batch.topicMessages;
      const first = topic!.messages[0]!;
      expect(first.key).toBe('unit-1');
      expect(decodeKafkaMessage(asKafkaMessage(first))).toMatchObject({
        id: events[0]!.eventId,
        source: '/plafond/allocation',
        type: 'plafond.quota-reserved.v1',
        subject: 'budget-1',
        time: '2025-03-01T08:00:00.000Z',
        partitionkey: 'unit-1',
        ledgerposition: '1',
        correlationid: 'c-1',
        data: { amountMicroWh: '1000' },
      });
      expect(cloudEventMessageId(asKafkaMessage(first))).toBe(
        `/plafond/allocation#${events[0]!.eventId}`,
      );
    },
  );

  it('groups by topic, keeps commit order inside each topic and leaves unrouted events out', () => {
    const batch = buildRelayBatch(
      events,
      (event) =>
        event.globalPosition === 3n
          ? null
          : { topic: event.globalPosition % 2n === 0n ? 'even' : 'odd', type: 't' },
      '/s',
      'binary',
    );
    expect(batch.messageCount).toBe(5);
    const positions = batch.topicMessages.map(({ topic, messages }) => [
      topic,
      messages.map((message) => decodeKafkaMessage(asKafkaMessage(message)).ledgerposition),
    ]);
    expect(positions).toEqual([
      ['odd', ['1', '5']],
      ['even', ['2', '4', '6']],
    ]);
  });

  it('falls back to the stream id as key and to the commit time as event time', () => {
    const bare = recorded(7, { metadata: {} });
    expect(partitionKeyOf(bare)).toBe('budget-1');
    expect(eventTimeOf(bare)).toBe('2025-03-01T08:00:01.000Z');
  });
});
