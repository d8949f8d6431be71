import {
  CloudEventValidationError,
  createCloudEvent,
  createUsageRecordedV1Event,
  encodeKafkaMessage,
  USAGE_ADJUSTED_V1_TYPE,
  type UsageAdjustedV1Json,
  type UsageRecordedV1,
} from '@plafond/contracts';
import type { RecordedEvent } from '@plafond/ledger';
import { bytesJson, describeDeadLetterError, JsonLogger } from '@plafond/platform';
import { waitFor } from '@plafond/testing';
import { DomainError } from '../domain';
import { allocationEventRouter, INTERNAL_ALLOCATION_EVENT_TYPES } from './allocation-event-routes';
import { BackgroundStart } from '@plafond/platform';
import {
  readUsageRecordedMessage,
  USAGE_MESSAGE_ERROR,
  UsageMessageRejected,
} from './usage-recorded.message';

const usage: UsageRecordedV1 = {
  unitId: 'team-search',
  useCase: 'support-chat',
  requests: 1n,
  inputTokens: 10n,
  energyMicroWh: 20n,
  carbonMicroGrams: 30n,
  factorSetVersion: 'f1',
  method: 'modelled',
  occurredAt: '2026-03-04T12:00:00Z',
  reportedSource: 'urn:plafond:gateway',
  reportedId: 'r-1',
};

function recordedMessage(data: UsageRecordedV1 = usage) {
  return encodeKafkaMessage(
    createUsageRecordedV1Event({
      id: 'rec-1',
      source: 'urn:plafond:ingestion',
      time: '2026-03-04T12:00:01Z',
      data,
    }),
    { mode: 'binary' },
  );
}

function rejection(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('reading a usage.recorded record', () => {
  it('gives the usage with exact quantities and the inbox key source#id', () => {
    expect(readUsageRecordedMessage(recordedMessage())).toMatchObject({
      messageId: 'urn:plafond:ingestion#rec-1',
      usage: { ...usage },
    });
  });

  it('acknowledges a usage.adjusted event without a usage to apply (never a dead letter)', () => {
    const data: UsageAdjustedV1Json = {
      reportedSource: 'urn:plafond:gateway',
      reportedId: 'r-1',
      recordedEventId: 'rec-1',
      unitId: 'team-search',
      useCase: 'support-chat',
      occurredAt: '2026-03-04T12:00:00Z',
      method: 'modelled',
      fromFactorSetVersion: 'f1',
      toFactorSetVersion: 'f2',
      energyDeltaMicroWh: '-5',
      carbonDeltaMicroGrams: '7',
      energyMicroWh: '15',
      carbonMicroGrams: '37',
    };
    const message = encodeKafkaMessage(
      createCloudEvent({
        id: 'adj-1',
        source: 'urn:plafond:ingestion',
        type: USAGE_ADJUSTED_V1_TYPE,
        data: { ...data },
      }),
      { mode: 'binary' },
    );
    expect(readUsageRecordedMessage(message)).toMatchObject({
      messageId: 'urn:plafond:ingestion#adj-1',
      usage: null,
    });
  });

  it('refuses a record that is not a CloudEvent', () => {
    const error = rejection(() => readUsageRecordedMessage({ value: Buffer.from('{oops') }));
    expect(error).toBeInstanceOf(CloudEventValidationError);
    expect(describeDeadLetterError(error)).toMatchObject({
      code: 'CLOUDEVENT.INVALID',
      details: { issues: [expect.objectContaining({ code: 'CLOUDEVENT.INVALID_JSON' })] },
    });
  });

  it('refuses another event type', () => {
    const message = encodeKafkaMessage(
      createCloudEvent({ id: 'x', source: '/s', type: 'org.plafond.usage.reported.v1', data: {} }),
      { mode: 'structured' },
    );
    const error = rejection(() => readUsageRecordedMessage(message));
    expect(error).toBeInstanceOf(UsageMessageRejected);
    expect(describeDeadLetterError(error)).toEqual({
      code: USAGE_MESSAGE_ERROR.unexpectedType,
      message: 'expected a org.plafond.usage.recorded.v1 event, got org.plafond.usage.reported.v1',
      details: { type: 'org.plafond.usage.reported.v1' },
    });
  });

  it('refuses data that breaks the contract, naming the field', () => {
    const message = recordedMessage();
    const data = JSON.parse(String(message.value)) as Record<string, unknown>;
    message.value = Buffer.from(JSON.stringify({ ...data, unitId: undefined, extra: 1 }));
    const error = rejection(() => readUsageRecordedMessage(message)) as UsageMessageRejected;
    expect(error.code).toBe(USAGE_MESSAGE_ERROR.invalidData);
    expect(error.details.issues?.map((issue) => issue.path).sort()).toEqual([
      'data.extra',
      'data.unitId',
    ]);
  });
});

describe('dead letter errors and bytes', () => {
  it('keeps a domain refusal with its code and details', () => {
    const error = new DomainError('COMMAND.INVALID', 'too long', { field: 'useCase' });
    expect(describeDeadLetterError(error)).toEqual({
      code: 'COMMAND.INVALID',
      message: 'too long',
      details: { field: 'useCase' },
    });
  });

  it('names an error without a code MESSAGING.UNEXPECTED_ERROR', () => {
    expect(describeDeadLetterError('boom')).toEqual({
      code: 'MESSAGING.UNEXPECTED_ERROR',
      message: 'boom',
      details: null,
    });
  });

  it('shows UTF-8 as text and anything else as base64', () => {
    expect(bytesJson(Buffer.from('héllo'), false)).toBe('héllo');
    expect(bytesJson(Buffer.from([0xff, 0x00]), false)).toEqual({ base64: '/wA=' });
    // A preview cut inside "é" (2 bytes) is still text, minus the broken character.
    expect(bytesJson(Buffer.from('hé').subarray(0, 2), true)).toBe('h');
  });
});

describe('routes of the relay', () => {
  const route = allocationEventRouter('plafond.allocation.events.v1');
  const recordedEvent = (type: string) => ({ type }) as unknown as RecordedEvent;

  it('publishes public events under their v1 type', () => {
    expect(route(recordedEvent('OverrunRecorded'))).toEqual({
      topic: 'plafond.allocation.events.v1',
      type: 'org.plafond.allocation.overrun_recorded.v1',
    });
  });

  it.each(INTERNAL_ALLOCATION_EVENT_TYPES)('keeps %s inside', (type) => {
    expect(route(recordedEvent(type))).toBeNull();
  });
});

describe('starting an edge in the background', () => {
  const settled = (starter: BackgroundStart) =>
    waitFor(() => starter.status().state !== 'starting', { intervalMs: 1 });
  const logger = new JsonLogger({ service: 'test', level: 'fatal', write: () => undefined });

  it('retries a failed start until it succeeds, then stops it on end', async () => {
    const calls: string[] = [];
    let failures = 2;
    const starter = new BackgroundStart({
      name: 'edge',
      logger,
      retry: { initialBackoffMs: 1, maxBackoffMs: 2 },
      start: () => {
        calls.push('start');
        return failures-- > 0 ? Promise.reject(new Error('broker down')) : Promise.resolve();
      },
      stop: () => {
        calls.push('stop');
        return Promise.resolve();
      },
    });
    starter.begin();
    await settled(starter);
    expect(starter.status()).toEqual({ state: 'running', attempts: 3, lastError: undefined });
    await starter.end();
    expect(starter.status().state).toBe('stopped');
    // Each failed attempt is cleaned up before the next one.
    expect(calls).toEqual(['start', 'stop', 'start', 'stop', 'start', 'stop']);
  });

  it('gives up at once on a fatal error and keeps it in the status', async () => {
    const starter = new BackgroundStart({
      name: 'edge',
      logger,
      isFatal: () => true,
      start: () =>
        Promise.reject(
          Object.assign(new Error('restored'), { code: 'LEDGER.TRANSACTION_IDS_BEHIND' }),
        ),
      stop: () => Promise.resolve(),
    });
    starter.begin();
    await settled(starter);
    expect(starter.status()).toEqual({
      state: 'failed',
      attempts: 1,
      lastError: { code: 'LEDGER.TRANSACTION_IDS_BEHIND', message: 'restored' },
    });
    await starter.end();
    expect(starter.status().state).toBe('failed');
  });

  it('ends while waiting to retry, without another attempt', async () => {
    let attempts = 0;
    const starter = new BackgroundStart({
      name: 'edge',
      logger,
      retry: { initialBackoffMs: 600_000 },
      start: () => {
        attempts += 1;
        return Promise.reject(new Error('broker down'));
      },
      stop: () => Promise.resolve(),
    });
    starter.begin();
    await waitFor(() => attempts > 0, { intervalMs: 1 });
    await starter.end();
    expect(attempts).toBe(1);
    expect(starter.status().state).toBe('stopped');
  });
});
