import { decodeKafkaMessage } from '@plafond/contracts';
import { cloudEventMessageId } from '../inbox/cloud-event-id';
import { buildRelayBatch } from '../relay/relay-batch';
import type { RelayRouter } from '../relay/ledger-cloud-event';
import type { RecordedEvent } from '../types';
import { ledgerLogDelivery } from './ledger-log-message';

function recorded(position: number, overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    streamId: `budget-${position}`,
    streamVersion: 1n,
    globalPosition: BigInt(position),
    transactionId: 700n + BigInt(position),
    type: 'UsageDebited',
    data: { amountMicroWh: String(position * 1_000), unitId: `unit-${position}` },
    metadata: { partitionKey: `unit-${position}`, occurredAt: '2025-03-01T08:00:00Z' },
    recordedAt: new Date('2025-03-01T08:00:01.234Z'),
    hash: 'cd'.repeat(32),
    ...overrides,
  };
}

const route: RelayRouter = (event) =>
  event.type === 'UsageDebited'
    ? { topic: 'allocation.v1', type: 'plafond.usage-debited.v1' }
    : null;

const asText = (value: Buffer | string | null | undefined) =>
  value === null || value === undefined ? value : Buffer.from(value).toString('base64');

describe('ledger-log delivery', () => {
  it.each(['binary', 'structured'] as const)(
    'carries the bytes the relay would publish (%s mode)',
    (mode) => {
      const event = recorded(42, { metadata: { occurredAt: '2025-03-01T08:00:00Z' } });
      const withKey = recorded(43);
      for (const candidate of [event, withKey]) {
        const [published] = buildRelayBatch([candidate], route, '/plafond/allocation', mode)
          .topicMessages[0]!.messages;
        const { topic, partition, message } = ledgerLogDelivery(
          candidate,
          route(candidate)!,
          '/plafond/allocation',
          mode,
        );
        expect(topic).toBe('allocation.v1');
        expect(partition).toBe(0);
        expect(asText(message.key)).toBe(asText(published!.key));
        expect(asText(message.value)).toBe(asText(published!.value));
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [
            name,
            Buffer.isBuffer(value) ? value.toString('utf8') : value,
          ]),
        );
        expect(headers).toEqual(published!.headers);
        expect(message.offset).toBe(candidate.globalPosition.toString());
        expect(message.timestamp).toBe(String(Date.parse('2025-03-01T08:00:01.234Z')));
        expect(decodeKafkaMessage(message)).toMatchObject({
          id: candidate.eventId,
          source: '/plafond/allocation',
          type: 'plafond.usage-debited.v1',
          partitionkey: String(candidate.metadata.partitionKey ?? candidate.streamId),
          data: candidate.data,
        });
        expect(cloudEventMessageId(message)).toBe(`/plafond/allocation#${candidate.eventId}`);
      }
    },
  );

  it('keys by stream id when the writer chose no partition key, as the relay does', () => {
    const event = recorded(7, { metadata: {} });
    const { message } = ledgerLogDelivery(event, route(event)!, '/s', 'binary');
    expect(message.key?.toString('utf8')).toBe('budget-7');
  });
});
