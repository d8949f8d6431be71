import {
  BILLING_EVENT_TYPES_V1,
  CloudEventValidationError,
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  createCloudEvent,
  encodeKafkaMessage,
  type UsageAdjustedV1Json,
  type UsageRecordedV1Json,
} from '@plafond/contracts';
import type { RecordedEvent } from '@plafond/ledger';
import { describeDeadLetterError, loadConfig } from '@plafond/platform';
import { BillingConfig } from '../config';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { isPermanentAllocationFailure } from './allocation-events.consumer';
import { BILLING_CONTRACT_CHECKS, billingEventRouter } from './billing-event-routes';
import { resolveBillingMessagingSettings } from './messaging.options';
import { messagingTableStatements } from './messaging.schema';
import { isPermanentUsageFailure } from './usage-recorded.consumer';
import { USAGE_MESSAGE_PROBLEM, readUsageTopicMessage } from './usage-recorded.message';

const SOURCE = '/plafond/ingestion';
const recorded: UsageRecordedV1Json = {
  unitId: 'team-search',
  useCase: 'support-chat',
  model: 'gpt-4o',
  requests: '1',
  energyMicroWh: '2340000',
  carbonMicroGrams: '130000000',
  factorSetVersion: '2026-01',
  method: 'modelled',
  occurredAt: '2026-11-04T10:00:00.000Z',
  reportedSource: 'urn:plafond:gateway:eu-1',
  reportedId: 'r-1',
};
const adjusted: UsageAdjustedV1Json = {
  reportedSource: 'urn:plafond:gateway:eu-1',
  reportedId: 'r-1',
  recordedEventId: 'ingest-rec-1',
  unitId: 'team-search',
  useCase: 'support-chat',
  occurredAt: '2026-11-04T10:00:00.000Z',
  method: 'modelled',
  fromFactorSetVersion: '2026-01',
  toFactorSetVersion: '2026-02',
  energyDeltaMicroWh: '-100000',
  carbonDeltaMicroGrams: '-10000000',
  energyMicroWh: '2240000',
  carbonMicroGrams: '120000000',
};

function message(type: string, data: unknown, id = 'ingest-rec-1') {
  return encodeKafkaMessage(createCloudEvent({ id, source: SOURCE, type, data }), {
    mode: 'binary',
  });
}

function refusal(run: () => unknown): BillingError {
  try {
    run();
  } catch (error) {
    if (error instanceof BillingError) return error;
    throw error;
  }
  throw new Error('expected a BillingError');
}

describe('billing messaging', () => {
  it('reads a usage.recorded record: inbox key source#id, quantities as bigint', () => {
    const read = readUsageTopicMessage(message(USAGE_RECORDED_V1_TYPE, recorded));
    expect(read.kind).toBe('recorded');
    expect(read.messageId).toBe(`${SOURCE}#ingest-rec-1`);
    if (read.kind !== 'recorded') throw new Error('expected a usage');
    expect(read.usage.energyMicroWh).toBe(2_340_000n);
  });

  it('reads a usage.adjusted record with its signed deltas as strings', () => {
    const read = readUsageTopicMessage(message(USAGE_ADJUSTED_V1_TYPE, adjusted, 'ingest-adj-1'));
    expect(read).toMatchObject({
      kind: 'adjusted',
      messageId: `${SOURCE}#ingest-adj-1`,
      adjustment: adjusted,
    });
  });

  it('refuses another type and invalid data with BILLING.INVALID_MESSAGE (a dead letter)', () => {
    const other = refusal(() =>
      readUsageTopicMessage(message('org.plafond.usage.reported.v1', recorded)),
    );
    expect(other.code).toBe(BILLING_ERROR.INVALID_MESSAGE);
    expect(other.details).toMatchObject({ reason: USAGE_MESSAGE_PROBLEM.unexpectedType });
    const invalid = refusal(() =>
      readUsageTopicMessage(message(USAGE_RECORDED_V1_TYPE, { ...recorded, energyMicroWh: 5 })),
    );
    expect(invalid.details).toMatchObject({
      reason: USAGE_MESSAGE_PROBLEM.invalidData,
      issues: [expect.objectContaining({ path: 'data.energyMicroWh' })],
    });
    expect(describeDeadLetterError(invalid)).toMatchObject({
      code: BILLING_ERROR.INVALID_MESSAGE,
      details: { issues: [expect.objectContaining({ path: 'data.energyMicroWh' })] },
    });
    expect(() => readUsageTopicMessage({ value: Buffer.from('{oops'), headers: {} })).toThrow(
      CloudEventValidationError,
    );
  });

  it('dead-letters billing refusals and retries everything else', () => {
    const unknown = new BillingError(BILLING_ERROR.UNKNOWN_USAGE, 'never recorded');
    expect(isPermanentUsageFailure(unknown)).toBe(true);
    expect(isPermanentAllocationFailure(unknown)).toBe(true);
    const concurrency = Object.assign(new Error('conflict'), { code: 'LEDGER.CONCURRENCY' });
    expect(isPermanentUsageFailure(concurrency)).toBe(false);
    expect(isPermanentAllocationFailure(concurrency)).toBe(false);
  });

  it('publishes the public billing events only, under their v1 type', () => {
    expect(BILLING_CONTRACT_CHECKS).toBe(true);
    const route = billingEventRouter('t.billing');
    const ofType = (type: string) => ({ type }) as unknown as RecordedEvent;
    expect(route(ofType('InvoiceIssued'))).toEqual({
      topic: 't.billing',
      type: BILLING_EVENT_TYPES_V1.InvoiceIssued,
    });
    expect(route(ofType('PeriodClosed'))).toEqual({
      topic: 't.billing',
      type: 'org.plafond.billing.period_closed.v1',
    });
    expect(route(ofType('UsageHeldUnpriced'))).toBeNull();
    expect(route(ofType('OverrunNoted'))).toBeNull();
  });

  it('derives topics and groups from the configured prefix and client id', () => {
    const config = loadConfig(BillingConfig, {
      DATABASE_URL: 'postgres://localhost/plafond',
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_TOPIC_PREFIX: 'stage.',
    });
    const settings = resolveBillingMessagingSettings(config, {});
    expect(settings).toMatchObject({
      usageRecordedTopic: 'stage.plafond.usage.recorded.v1',
      allocationEventsTopic: 'stage.plafond.allocation.events.v1',
      billingEventsTopic: 'stage.plafond.billing.events.v1',
      usageGroupId: 'plafond-billing.usage',
      allocationGroupId: 'plafond-billing.allocation',
      enable: { relay: true, usageConsumer: true, allocationConsumer: true },
      autoStart: true,
      schema: 'billing',
    });
    expect(
      resolveBillingMessagingSettings(config, {
        groupPrefix: 'x',
        topicPrefix: '',
        enable: { relay: false },
      }),
    ).toMatchObject({
      usageRecordedTopic: 'plafond.usage.recorded.v1',
      usageGroupId: 'x.usage',
      enable: { relay: false, usageConsumer: true },
    });
  });

  it('creates the dead_letters table idempotently in the service schema', () => {
    const [statement] = messagingTableStatements('billing');
    expect(statement).toContain('CREATE TABLE IF NOT EXISTS "billing".dead_letters');
    expect(() => messagingTableStatements('bad"schema')).toThrow();
  });
});
