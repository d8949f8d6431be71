import {
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  USAGE_REJECTED_V1_TYPE,
  USAGE_REPORTED_V1_TYPE,
  createCloudEvent,
  encodeKafkaMessage,
} from '@plafond/contracts';
import {
  LedgerConcurrencyError,
  LedgerInvalidEventError,
  type RecordedEvent,
} from '@plafond/ledger';
import type { KafkaMessage } from 'kafkajs';
import { INGESTION_EVENT_TYPES } from '../application';
import { ingestionEventRouter } from './ingestion-event-routes';
import { isPermanentRawUsageFailure, rawDeliveryKey, rawRecordId } from './usage-raw.consumer';
import { readRawUsageRecord } from './usage-raw.message';

const topics = { usageRecorded: 't.recorded', usageRejected: 't.rejected' };
const route = ingestionEventRouter(topics);
const ofType = (type: string) => ({ type }) as RecordedEvent;

describe('routes of the ingestion relay', () => {
  it('publishes recorded and adjusted usage on usage.recorded, rejections on usage.rejected', () => {
    expect(route(ofType(INGESTION_EVENT_TYPES.usageRecorded))).toEqual({
      topic: topics.usageRecorded,
      type: USAGE_RECORDED_V1_TYPE,
    });
    expect(route(ofType(INGESTION_EVENT_TYPES.usageAdjusted))).toEqual({
      topic: topics.usageRecorded,
      type: USAGE_ADJUSTED_V1_TYPE,
    });
    expect(route(ofType(INGESTION_EVENT_TYPES.usageRejected))).toEqual({
      topic: topics.usageRejected,
      type: USAGE_REJECTED_V1_TYPE,
    });
  });

  it('keeps factor-set publications and unknown types inside', () => {
    expect(route(ofType(INGESTION_EVENT_TYPES.factorSetPublished))).toBeNull();
    expect(route(ofType('toString'))).toBeNull();
  });
});

describe('reading a raw usage record', () => {
  it('decodes a binary CloudEvent', () => {
    const event = createCloudEvent({
      id: 'u-1',
      source: 'urn:s',
      type: USAGE_REPORTED_V1_TYPE,
      data: { unitId: 'a' },
    });
    const record = readRawUsageRecord(encodeKafkaMessage(event, { mode: 'binary' }));
    expect(record).toMatchObject({ kind: 'event', event: { id: 'u-1', source: 'urn:s' } });
  });

  it('turns bytes that are not a CloudEvent into an unreadable item keeping the bytes', () => {
    const value = Buffer.from([0x7b, 0xff, 0x00]);
    const record = readRawUsageRecord({ value });
    expect(record.kind).toBe('unreadable');
    if (record.kind !== 'unreadable') return;
    expect(record.item.payload).toEqual(value);
    expect(record.item.issues[0]?.code).toMatch(/^CLOUDEVENT\./);
  });

  it('turns an empty record into an unreadable item', () => {
    const record = readRawUsageRecord({ value: null });
    expect(record).toMatchObject({ kind: 'unreadable', item: { payload: Buffer.alloc(0) } });
  });
});

describe('inbox key of a raw record', () => {
  const message = (value: string, offset = '7'): KafkaMessage => ({
    key: Buffer.from('team-a'),
    value: Buffer.from(value),
    headers: { ce_id: Buffer.from('x') },
    offset,
    timestamp: '1700000000000',
    attributes: 0,
  });

  it('is the same for a redelivery and differs for another record or offset', () => {
    expect(rawRecordId(message('a'))).toBe(rawRecordId(message('a')));
    expect(rawRecordId(message('a'))).not.toBe(rawRecordId(message('b')));
    expect(rawRecordId(message('a'))).not.toBe(rawRecordId(message('a', '8')));
    expect(rawRecordId(message('a')).length).toBeLessThan(200);
  });
});

describe('failures of a raw usage record', () => {
  it('treats a record the ledger refuses to store as permanent (rejected), anything else as retryable', () => {
    expect(isPermanentRawUsageFailure(new LedgerInvalidEventError('NUL'))).toBe(true);
    expect(isPermanentRawUsageFailure(new Error('connection reset'))).toBe(false);
    expect(isPermanentRawUsageFailure(new LedgerConcurrencyError('s', 'no_stream', 1n))).toBe(
      false,
    );
  });

  it('names a record by topic, partition and inbox key, the same on every delivery', () => {
    const message = (offset: string) =>
      ({
        key: null,
        value: Buffer.from('x'),
        headers: {},
        offset,
        timestamp: '1',
        attributes: 0,
      }) as KafkaMessage;
    const key = rawDeliveryKey({ topic: 't', partition: 1, message: message('5') });
    expect(rawDeliveryKey({ topic: 't', partition: 1, message: message('5') })).toBe(key);
    expect(rawDeliveryKey({ topic: 't', partition: 2, message: message('5') })).not.toBe(key);
    expect(rawDeliveryKey({ topic: 't', partition: 1, message: message('6') })).not.toBe(key);
  });
});
