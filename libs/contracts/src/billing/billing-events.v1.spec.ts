import { createCloudEvent, decodeKafkaMessage, encodeKafkaMessage } from '../cloudevents';
import {
  BILLING_EVENTS_SOURCE,
  BILLING_EVENT_NAMES_V1,
  BILLING_EVENT_TYPES_V1,
  billingEventNameV1,
  billingEventTypeV1,
  isBillingEventTypeV1,
  type BillingEventDataV1,
  type BillingEventNameV1,
  type LineBillingV1,
} from './billing-events.v1';
import {
  BILLING_EVENT_ISSUE,
  parseBillingEventV1,
  validateBillingEventDataV1,
} from './billing-events.v1.validate';

const line: LineBillingV1 = {
  lineId: '5a0c6f1e-2b1d-4f7e-9c1a-0d2e3f4a5b6c',
  billingPeriod: '2026-11',
  adjustsInvoice: null,
  currency: 'EUR',
  costCentre: 'CC-SEARCH',
  scheduleVersion: 1,
  multiplierPpm: '1500000',
  amountMicro: '16575',
  bookedAt: '2026-11-04T10:00:01.000Z',
  accounts: { expense: '6980-AI-CARBON', carbonFund: '4890-CARBON-FUND' },
};
const usage = {
  usageId: '/plafond/ingestion#ingest-rec-1',
  unitId: 'team-search',
  useCase: 'support-chat',
  usefulnessClass: 'essential',
  model: 'gpt-4o',
  servicePeriod: '2026-11',
};

/** One valid `data` per public event, typed by the contract. */
const SAMPLES: { [K in BillingEventNameV1]: BillingEventDataV1[K] } = {
  PriceSchedulePublished: {
    currency: 'EUR',
    version: 1,
    effectiveFrom: '2026-01-01T00:00:00.000Z',
    carbonPricePerTonneMicro: '85000000',
    energyPricePerKwhMicro: null,
    classMultipliersPpm: { essential: '1000000', discretionary: '1500000' },
    defaultMultiplierPpm: '1000000',
    overrunTiers: [{ fromShareOfAllocationPpm: '0', surchargePpm: '250000' }],
    reason: null,
  },
  BillingProfileSet: { unitId: 'team-search', currency: 'EUR', costCentre: 'CC-SEARCH' },
  UsageCharged: {
    ...usage,
    ...line,
    occurredAt: '2026-11-04T10:00:00.000Z',
    requests: '1',
    energyMicroWh: '2340000',
    carbonMicroGrams: '130000000',
    factorSetVersion: '2026-01',
  },
  UsageAdjustmentCharged: {
    ...usage,
    ...line,
    amountMicro: '-1275',
    adjustmentId: '/plafond/ingestion#ingest-adj-1',
    fromFactorSetVersion: '2026-01',
    toFactorSetVersion: '2026-02',
    energyDeltaMicroWh: '-100000',
    carbonDeltaMicroGrams: '-10000000',
    energyMicroWh: '2240000',
    carbonMicroGrams: '120000000',
    note: 'credit',
  },
  OverrunSurchargeCharged: {
    ...usage,
    ...line,
    budgetId: 'b-2026-11',
    usageAmount: '3000',
    overrunAmount: '1000',
    overrunAfter: '1000',
    allocated: '10000',
    tiers: [{ overrun: '1000', surchargePpm: '250000' }],
  },
  InvoiceIssued: {
    invoiceNumber: 'INV-2026-11-0001',
    sequence: 1,
    period: '2026-11',
    unitId: 'team-search',
    currency: 'EUR',
    costCentre: 'CC-SEARCH',
    groups: [
      {
        kind: 'credit_note',
        usefulnessClass: null,
        model: null,
        lines: 1,
        requests: '0',
        energyMicroWh: '-100000',
        carbonMicroGrams: '-10000000',
        amountMicro: '-1275',
      },
    ],
    adjustsInvoices: ['INV-2026-10-0003'],
    lineCount: 1,
    totalMicro: '-1275',
    issuedAt: '2026-12-01T09:00:00.000Z',
  },
  PeriodClosed: {
    period: '2026-11',
    invoiceCount: 1,
    firstInvoice: 'INV-2026-11-0001',
    lastInvoice: 'INV-2026-11-0001',
    totalsMicro: { EUR: '-1275' },
    closedAt: '2026-12-01T09:00:00.000Z',
    reason: 'month end',
  },
};

function cloudEventOf(type: string, data: unknown) {
  return createCloudEvent({
    id: 'evt-1',
    source: BILLING_EVENTS_SOURCE,
    type,
    subject: 'period-2026-11',
    datacontenttype: 'application/json',
    partitionkey: 'team-search',
    data,
  });
}

function issuesOf(name: BillingEventNameV1, data: unknown) {
  const result = validateBillingEventDataV1(name, data);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

const snakeCase = (name: string) => name.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();

describe('billing events v1', () => {
  it('names every public type org.plafond.billing.<snake_case>.v1, both ways', () => {
    expect(BILLING_EVENT_NAMES_V1).toHaveLength(7);
    for (const name of BILLING_EVENT_NAMES_V1) {
      const type = BILLING_EVENT_TYPES_V1[name];
      expect(type).toBe(`org.plafond.billing.${snakeCase(name)}.v1`);
      expect(billingEventTypeV1(name)).toBe(type);
      expect(billingEventNameV1(type)).toBe(name);
      expect(isBillingEventTypeV1(type)).toBe(true);
    }
    expect(BILLING_EVENT_TYPES_V1.InvoiceIssued).toBe('org.plafond.billing.invoice_issued.v1');
  });

  it.each(['UsageHeldUnpriced', 'OverrunNoted', 'toString', '__proto__'])(
    'keeps %s internal (no public type)',
    (ledgerType) => {
      expect(billingEventTypeV1(ledgerType)).toBeNull();
      expect(isBillingEventTypeV1(`org.plafond.billing.${snakeCase(ledgerType)}.v1`)).toBe(false);
    },
  );

  it.each(BILLING_EVENT_NAMES_V1)('reads a %s through a binary Kafka round trip', (name) => {
    const sent = cloudEventOf(BILLING_EVENT_TYPES_V1[name], SAMPLES[name]);
    const received = decodeKafkaMessage(encodeKafkaMessage(sent, { mode: 'binary' }));
    expect(parseBillingEventV1(received)).toEqual({
      ok: true,
      value: { name, type: sent.type, data: SAMPLES[name], cloudEvent: received },
    });
  });

  it('narrows data by name for consumers', () => {
    const result = parseBillingEventV1(
      cloudEventOf(BILLING_EVENT_TYPES_V1.InvoiceIssued, SAMPLES.InvoiceIssued),
    );
    if (!result.ok) throw new Error('expected a valid event');
    const event = result.value;
    const total = event.name === 'InvoiceIssued' ? BigInt(event.data.totalMicro) : 0n;
    expect(total).toBe(-1275n);
  });

  it('reports an unknown type, so consumers can skip it', () => {
    expect(
      parseBillingEventV1(cloudEventOf('org.plafond.billing.usage_held_unpriced.v1', {})),
    ).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'type', code: BILLING_EVENT_ISSUE.unknownType })],
    });
  });

  it('refuses amounts that are not decimal integer strings, signed only where documented', () => {
    for (const amountMicro of [16575, '1e3', '1.5', '', '007', '-0', '+5', '1'.repeat(31)]) {
      expect(issuesOf('UsageCharged', { ...SAMPLES.UsageCharged, amountMicro })).toEqual([
        expect.objectContaining({
          path: 'data.amountMicro',
          code: BILLING_EVENT_ISSUE.invalidAmount,
        }),
      ]);
    }
    expect(
      validateBillingEventDataV1('UsageCharged', { ...SAMPLES.UsageCharged, amountMicro: '-5' }).ok,
    ).toBe(true);
    expect(issuesOf('UsageCharged', { ...SAMPLES.UsageCharged, energyMicroWh: '-5' })).toEqual([
      expect.objectContaining({
        path: 'data.energyMicroWh',
        code: BILLING_EVENT_ISSUE.invalidAmount,
      }),
    ]);
  });

  it('names missing fields, wrong nulls and nested problems by path', () => {
    const { unitId: _dropped, ...withoutUnit } = SAMPLES.UsageCharged;
    expect(issuesOf('UsageCharged', withoutUnit)).toEqual([
      expect.objectContaining({ path: 'data.unitId', code: BILLING_EVENT_ISSUE.missingField }),
    ]);
    expect(issuesOf('BillingProfileSet', { ...SAMPLES.BillingProfileSet, unitId: null })).toEqual([
      expect.objectContaining({ path: 'data.unitId', code: BILLING_EVENT_ISSUE.invalidField }),
    ]);
    const { reason: _reason, ...withoutReason } = SAMPLES.PeriodClosed;
    expect(issuesOf('PeriodClosed', withoutReason)).toEqual([
      expect.objectContaining({ path: 'data.reason', code: BILLING_EVENT_ISSUE.missingField }),
    ]);
    expect(
      issuesOf('InvoiceIssued', {
        ...SAMPLES.InvoiceIssued,
        groups: [{ ...SAMPLES.InvoiceIssued.groups[0], kind: 'refund' }],
        period: '2026-13',
      }).map((found) => found.path),
    ).toEqual(['data.period', 'data.groups[0].kind']);
    expect(
      issuesOf('UsageCharged', {
        ...SAMPLES.UsageCharged,
        accounts: { expense: '6980' },
        currency: 'eur',
      }).map((found) => found.path),
    ).toEqual(['data.currency', 'data.accounts.carbonFund']);
    expect(issuesOf('PeriodClosed', 'closed')).toEqual([
      expect.objectContaining({ path: 'data', code: BILLING_EVENT_ISSUE.notAnObject }),
    ]);
  });

  it('accepts fields it does not know (v1 may gain optional fields)', () => {
    const data = { ...SAMPLES.BillingProfileSet, region: 'eu' };
    expect(validateBillingEventDataV1('BillingProfileSet', data)).toEqual({
      ok: true,
      value: data,
    });
  });
});
