import { createCloudEvent, decodeKafkaMessage, encodeKafkaMessage } from '../cloudevents';
import {
  ALLOCATION_EVENTS_SOURCE,
  ALLOCATION_EVENT_NAMES_V1,
  ALLOCATION_EVENT_TYPES_V1,
  allocationEventNameV1,
  allocationEventTypeV1,
  isAllocationEventTypeV1,
  type AllocationEventDataV1,
  type AllocationEventNameV1,
} from './allocation-events.v1';
import {
  ALLOCATION_EVENT_ISSUE,
  parseAllocationEventV1,
  validateAllocationEventDataV1,
} from './allocation-events.v1.validate';

const account = { budgetId: 'b-2026-03', unitId: 'team-search' };

/** One valid `data` per public event, typed by the contract. */
const SAMPLES: { [K in AllocationEventNameV1]: AllocationEventDataV1[K] } = {
  UnitCreated: { unitId: 'team-search', parentId: 'dept-rd', name: 'Search' },
  UnitRenamed: { unitId: 'team-search', name: 'Search & ranking', previousName: 'Search' },
  UnitMoved: { unitId: 'team-search', fromParentId: 'dept-rd', toParentId: null },
  UnitArchived: { unitId: 'team-search' },
  UnitAttributesSet: {
    unitId: 'team-search',
    effectiveFrom: '2026-03-01',
    attributes: { headcount: '12', revenue: { value: '123456', scale: 2 }, legacy: null },
  },
  UsefulnessClassDefined: {
    className: 'discretionary',
    description: 'Nice to have',
    rule: { kind: 'allowed', shedAboveUtilisationBasisPoints: 8_000 },
  },
  UsefulnessClassRuleChanged: { className: 'discretionary', rule: { kind: 'prohibited' } },
  UseCaseRegistered: { useCase: 'support-chat', className: 'essential', description: '' },
  UseCaseReclassified: {
    useCase: 'support-chat',
    fromClassName: 'essential',
    toClassName: 'standard',
  },
  UseCaseRetired: { useCase: 'support-chat' },
  BudgetOpened: {
    budgetId: 'b-2026-03',
    perimeterUnitId: 'org',
    dimension: 'energy',
    period: {
      kind: 'month',
      key: '2026-03',
      timeZone: 'Europe/Paris',
      startsAt: '2026-02-28T23:00:00.000Z',
      endsAt: '2026-03-31T22:00:00.000Z',
    },
    ceiling: '9007199254740993',
    mode: 'hard',
    thresholdsBasisPoints: [5_000, 8_000, 10_000],
  },
  CeilingLowered: {
    budgetId: 'b-2026-03',
    previousCeiling: '1000',
    ceiling: '800',
    allocated: '800',
    reason: null,
  },
  UnusedQuotaReclaimed: {
    budgetId: 'b-2026-03',
    reclaimId: 'lower-1',
    total: '200',
    reclaims: [{ unitId: 'team-search', amount: '200', unused: '500' }],
  },
  UnitsAllocated: {
    budgetId: 'b-2026-03',
    allocationId: 'round-1',
    part: 1,
    units: [
      {
        unitId: 'org',
        parentId: null,
        depth: 0,
        amount: '1000',
        explanation: null,
        split: { criterion: 'weights', heldBack: '0', unallocated: '0', unallocatedReasons: [] },
        spendable: '0',
      },
      {
        unitId: 'team-search',
        parentId: 'org',
        depth: 1,
        amount: '1000',
        explanation: {
          contributions: [{ criterion: 'static', amount: '1000' }],
          boundBy: null,
        },
        split: null,
        spendable: '1000',
      },
    ],
  },
  QuotaAllocated: { ...account, allocationId: 'round-1', amount: '1000', allocated: '1000' },
  QuotaTransferred: {
    budgetId: 'b-2026-03',
    transferId: 't-1',
    fromUnitId: 'team-a',
    toUnitId: 'team-search',
    amount: '50',
    reason: 'launch week',
    actor: 'apikey:ak_1',
  },
  PeriodClosed: {
    budgetId: 'b-2026-03',
    ceiling: '800',
    allocated: '800',
    closedEarly: false,
    reason: null,
  },
  UsageDebited: {
    ...account,
    usageId: 'urn:plafond:ingestion#rec-9',
    amount: '1550',
    overrunAmount: '0',
    useCase: 'support-chat',
    usefulnessClass: 'essential',
    reservationId: null,
    flag: null,
    occurredAt: '2026-03-04T10:00:00.000Z',
  },
  OverrunRecorded: {
    ...account,
    usageId: 'u-1',
    amount: '300',
    overrun: '100',
    allocated: '1000',
    committed: '1100',
  },
  UnitBlocked: { ...account, reason: 'overrun' },
  UnitUnblocked: { ...account, reason: 'quota_transferred_in' },
  ThresholdCrossed: {
    ...account,
    thresholdBasisPoints: 8_000,
    committed: '800',
    allocated: '1000',
  },
  AccountClosed: { ...account, allocated: '1000', committed: '1100', overrun: '100' },
};

function cloudEventOf(type: string, data: unknown) {
  return createCloudEvent({
    id: 'evt-1',
    source: ALLOCATION_EVENTS_SOURCE,
    type,
    subject: 'organisation',
    datacontenttype: 'application/json',
    partitionkey: 'team-search',
    data,
  });
}

function issuesOf(name: AllocationEventNameV1, data: unknown) {
  const result = validateAllocationEventDataV1(name, data);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

const snakeCase = (name: string) => name.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();

describe('allocation events v1', () => {
  it('names every public type org.plafond.allocation.<snake_case>.v1, both ways', () => {
    expect(ALLOCATION_EVENT_NAMES_V1).toHaveLength(23);
    for (const name of ALLOCATION_EVENT_NAMES_V1) {
      const type = ALLOCATION_EVENT_TYPES_V1[name];
      expect(type).toBe(`org.plafond.allocation.${snakeCase(name)}.v1`);
      expect(allocationEventTypeV1(name)).toBe(type);
      expect(allocationEventNameV1(type)).toBe(name);
      expect(isAllocationEventTypeV1(type)).toBe(true);
    }
    expect(ALLOCATION_EVENT_TYPES_V1.UnitAttributesSet).toBe(
      'org.plafond.allocation.unit_attributes_set.v1',
    );
  });

  it.each([
    'QuotaReserved',
    'ReservationCommitted',
    'ReservationReleased',
    'ReservationExpired',
    'AccountOpened',
    'BudgetAllocated',
    'QuotaTransferredOut',
    'QuotaTransferredIn',
    'QuotaReclaimed',
    'toString',
    '__proto__',
  ])('keeps %s internal (no public type)', (ledgerType) => {
    expect(allocationEventTypeV1(ledgerType)).toBeNull();
  });

  it.each(ALLOCATION_EVENT_NAMES_V1)('reads a %s through a binary Kafka round trip', (name) => {
    const sent = cloudEventOf(ALLOCATION_EVENT_TYPES_V1[name], SAMPLES[name]);
    const received = decodeKafkaMessage(encodeKafkaMessage(sent, { mode: 'binary' }));
    const result = parseAllocationEventV1(received);
    expect(result).toEqual({
      ok: true,
      value: { name, type: sent.type, data: SAMPLES[name], cloudEvent: received },
    });
  });

  it('narrows data by name for consumers', () => {
    const result = parseAllocationEventV1(
      cloudEventOf(ALLOCATION_EVENT_TYPES_V1.OverrunRecorded, SAMPLES.OverrunRecorded),
    );
    if (!result.ok) throw new Error('expected a valid event');
    const event = result.value;
    const overrun = event.name === 'OverrunRecorded' ? BigInt(event.data.overrun) : 0n;
    expect(overrun).toBe(100n);
  });

  it('reports an unknown type, so consumers can skip it', () => {
    const result = parseAllocationEventV1(
      cloudEventOf('org.plafond.allocation.quota_reserved.v1', {}),
    );
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'type', code: ALLOCATION_EVENT_ISSUE.unknownType })],
    });
  });

  it('refuses amounts that are not decimal integer strings', () => {
    const cases: unknown[] = [1000, '1e3', '-5', '1.5', '', '007', '9223372036854775808'];
    for (const ceiling of cases) {
      expect(issuesOf('BudgetOpened', { ...SAMPLES.BudgetOpened, ceiling })).toEqual([
        expect.objectContaining({
          path: 'data.ceiling',
          code: ALLOCATION_EVENT_ISSUE.invalidAmount,
        }),
      ]);
    }
  });

  it('names missing fields, wrong nulls and nested problems by path', () => {
    const { unitId: _dropped, ...withoutUnit } = SAMPLES.UsageDebited;
    expect(issuesOf('UsageDebited', withoutUnit)).toEqual([
      expect.objectContaining({ path: 'data.unitId', code: ALLOCATION_EVENT_ISSUE.missingField }),
    ]);
    expect(issuesOf('UnitCreated', { ...SAMPLES.UnitCreated, unitId: null })).toEqual([
      expect.objectContaining({ path: 'data.unitId', code: ALLOCATION_EVENT_ISSUE.invalidField }),
    ]);
    const badUnit = { ...SAMPLES.UnitsAllocated.units[1], spendable: 5 };
    expect(
      issuesOf('UnitsAllocated', { ...SAMPLES.UnitsAllocated, units: [badUnit] }).map(
        (issue) => issue.path,
      ),
    ).toEqual(['data.units[0].spendable']);
    expect(
      issuesOf('UsefulnessClassDefined', {
        ...SAMPLES.UsefulnessClassDefined,
        rule: { kind: 'capped' },
      }).map((issue) => issue.path),
    ).toEqual(['data.rule.kind']);
    expect(
      issuesOf('BudgetOpened', { ...SAMPLES.BudgetOpened, dimension: 'water' }).map(
        (issue) => issue.code,
      ),
    ).toEqual([ALLOCATION_EVENT_ISSUE.invalidField]);
    expect(issuesOf('UnitArchived', 'team-search')).toEqual([
      expect.objectContaining({ path: 'data', code: ALLOCATION_EVENT_ISSUE.notAnObject }),
    ]);
  });

  it('accepts fields it does not know (v1 may gain optional fields)', () => {
    const data = { ...SAMPLES.UnitCreated, costCentre: 'cc-42' };
    expect(validateAllocationEventDataV1('UnitCreated', data)).toEqual({ ok: true, value: data });
  });
});
