import { BillingError } from './errors';
import {
  SCHEDULE_ISSUE,
  checkPublication,
  parseInstant,
  parsePriceScheduleInput,
  parsePriceScheduleInputOrThrow,
  scheduleFromData,
  scheduleToData,
  selectSchedule,
  type PriceSchedule,
} from './price-schedule';

const valid = {
  currency: 'EUR',
  effectiveFrom: '2026-11-01T00:00:00Z',
  carbonPricePerTonne: '85.00',
  energyPricePerKwh: '0.02',
  classMultipliers: { high: '1.5', low: '0.5' },
  defaultMultiplier: '1',
  overrunTiers: [
    { fromPercentOfAllocation: '0', surchargePercent: '25' },
    { fromPercentOfAllocation: '50', surchargePercent: '50' },
  ],
  reason: 'FY27 internal carbon price',
};

function issuesOf(input: unknown): { path: string; code: string }[] {
  const result = parsePriceScheduleInput(input);
  if (result.ok) throw new Error('expected issues');
  return result.issues.map(({ path, code }) => ({ path, code }));
}

describe('parsePriceScheduleInput', () => {
  it('parses a full input exactly', () => {
    const result = parsePriceScheduleInput(valid);
    expect(result).toEqual({
      ok: true,
      value: {
        currency: 'EUR',
        effectiveFrom: new Date('2026-11-01T00:00:00Z'),
        carbonPricePerTonneMicro: 85_000_000n,
        energyPricePerKwhMicro: 20_000n,
        classMultipliersPpm: new Map([
          ['high', 1_500_000n],
          ['low', 500_000n],
        ]),
        defaultMultiplierPpm: 1_000_000n,
        overrunTiers: [
          { fromShareOfAllocationPpm: 0n, surchargePpm: 250_000n },
          { fromShareOfAllocationPpm: 500_000n, surchargePpm: 500_000n },
        ],
        reason: 'FY27 internal carbon price',
      },
    });
  });
  it('applies defaults: no energy price, default multiplier 1, no classes, no tiers', () => {
    const result = parsePriceScheduleInput({
      currency: 'USD',
      effectiveFrom: '2026-11-01T01:00:00+01:00',
      carbonPricePerTonne: '100',
      energyPricePerKwh: null,
    });
    expect(result.ok && result.value).toEqual({
      currency: 'USD',
      effectiveFrom: new Date('2026-11-01T00:00:00Z'),
      carbonPricePerTonneMicro: 100_000_000n,
      energyPricePerKwhMicro: null,
      classMultipliersPpm: new Map(),
      defaultMultiplierPpm: 1_000_000n,
      overrunTiers: [],
      reason: null,
    });
  });
  it('refuses a non-object body', () => {
    for (const body of [null, [], 'x', 3]) {
      expect(issuesOf(body)).toEqual([{ path: '', code: SCHEDULE_ISSUE.INVALID_BODY }]);
    }
  });
  it('reports every problem at once', () => {
    const issues = issuesOf({
      currency: 'eur',
      effectiveFrom: '2026-11-01',
      carbonPricePerTonne: 85,
      energyPricePerKwh: '-0.02',
      classMultipliers: { '9bad': '1', high: '101', ok: '1.0000001' },
      defaultMultiplier: '1e2',
      overrunTiers: [
        { fromPercentOfAllocation: '10', surchargePercent: '25', extra: true },
        { fromPercentOfAllocation: '10', surchargePercent: '1001' },
      ],
      reason: 'x'.repeat(501),
      colour: 'blue',
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'colour', code: SCHEDULE_ISSUE.UNKNOWN_FIELD },
        { path: 'currency', code: SCHEDULE_ISSUE.INVALID_CURRENCY },
        { path: 'effectiveFrom', code: SCHEDULE_ISSUE.INVALID_INSTANT },
        { path: 'carbonPricePerTonne', code: SCHEDULE_ISSUE.INVALID_AMOUNT },
        { path: 'energyPricePerKwh', code: SCHEDULE_ISSUE.INVALID_AMOUNT },
        { path: 'classMultipliers.9bad', code: SCHEDULE_ISSUE.INVALID_CLASS },
        { path: 'classMultipliers.high', code: SCHEDULE_ISSUE.OUT_OF_RANGE },
        { path: 'classMultipliers.ok', code: SCHEDULE_ISSUE.INVALID_AMOUNT },
        { path: 'defaultMultiplier', code: SCHEDULE_ISSUE.INVALID_AMOUNT },
        { path: 'overrunTiers[0].extra', code: SCHEDULE_ISSUE.UNKNOWN_FIELD },
        {
          path: 'overrunTiers[0].fromPercentOfAllocation',
          code: SCHEDULE_ISSUE.FIRST_TIER_NOT_ZERO,
        },
        { path: 'overrunTiers[1].surchargePercent', code: SCHEDULE_ISSUE.OUT_OF_RANGE },
        { path: 'reason', code: SCHEDULE_ISSUE.TOO_LONG },
      ]),
    );
    expect(issues).toHaveLength(13);
  });
  it('reports missing required fields', () => {
    expect(issuesOf({})).toEqual([
      { path: 'currency', code: SCHEDULE_ISSUE.REQUIRED },
      { path: 'effectiveFrom', code: SCHEDULE_ISSUE.REQUIRED },
      { path: 'carbonPricePerTonne', code: SCHEDULE_ISSUE.REQUIRED },
    ]);
    expect(
      issuesOf({
        ...valid,
        overrunTiers: [{ surchargePercent: '1' }, { fromPercentOfAllocation: '5' }],
      }),
    ).toEqual([
      { path: 'overrunTiers[0].fromPercentOfAllocation', code: SCHEDULE_ISSUE.REQUIRED },
      { path: 'overrunTiers[1].surchargePercent', code: SCHEDULE_ISSUE.REQUIRED },
    ]);
  });
  it('refuses tiers that do not ascend strictly', () => {
    expect(
      issuesOf({
        ...valid,
        overrunTiers: [
          { fromPercentOfAllocation: '0', surchargePercent: '10' },
          { fromPercentOfAllocation: '50', surchargePercent: '20' },
          { fromPercentOfAllocation: '50', surchargePercent: '30' },
          { fromPercentOfAllocation: '40', surchargePercent: '30' },
        ],
      }),
    ).toEqual([
      { path: 'overrunTiers[2].fromPercentOfAllocation', code: SCHEDULE_ISSUE.TIERS_NOT_ASCENDING },
      { path: 'overrunTiers[3].fromPercentOfAllocation', code: SCHEDULE_ISSUE.TIERS_NOT_ASCENDING },
    ]);
  });
  it('bounds the number of tiers and classes', () => {
    const tiers = Array.from({ length: 11 }, (_, i) => ({
      fromPercentOfAllocation: String(i * 10),
      surchargePercent: '10',
    }));
    const classes = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, '1']));
    expect(issuesOf({ ...valid, overrunTiers: tiers, classMultipliers: classes })).toEqual([
      { path: 'classMultipliers', code: SCHEDULE_ISSUE.TOO_MANY },
      { path: 'overrunTiers', code: SCHEDULE_ISSUE.TOO_MANY },
    ]);
  });
  it('checks types of containers and reason', () => {
    expect(issuesOf({ ...valid, classMultipliers: ['high'], overrunTiers: {}, reason: 3 })).toEqual(
      [
        { path: 'classMultipliers', code: SCHEDULE_ISSUE.INVALID_TYPE },
        { path: 'overrunTiers', code: SCHEDULE_ISSUE.INVALID_TYPE },
        { path: 'reason', code: SCHEDULE_ISSUE.INVALID_TYPE },
      ],
    );
    expect(issuesOf({ ...valid, overrunTiers: ['x'] })).toEqual([
      { path: 'overrunTiers[0]', code: SCHEDULE_ISSUE.INVALID_TYPE },
    ]);
  });
  it('bounds prices and effective dates', () => {
    expect(
      issuesOf({
        ...valid,
        carbonPricePerTonne: '1000000000.000001',
        effectiveFrom: '1999-12-31T23:59:59Z',
      }),
    ).toEqual([
      { path: 'effectiveFrom', code: SCHEDULE_ISSUE.OUT_OF_RANGE },
      { path: 'carbonPricePerTonne', code: SCHEDULE_ISSUE.OUT_OF_RANGE },
    ]);
  });
  it('throws BILLING.INVALID_SCHEDULE with the issues', () => {
    try {
      parsePriceScheduleInputOrThrow({ ...valid, currency: 'EURO' });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(BillingError);
      const e = error as BillingError;
      expect(e.code).toBe('BILLING.INVALID_SCHEDULE');
      expect(e.status).toBe(400);
      expect(e.details).toEqual({
        issues: [
          { path: 'currency', code: 'SCHEDULE.INVALID_CURRENCY', message: expect.any(String) },
        ],
      });
    }
  });
});

describe('parseInstant', () => {
  it('accepts strict ISO instants with an offset', () => {
    expect(parseInstant('2026-11-01T00:00:00Z')).toEqual(new Date('2026-11-01T00:00:00Z'));
    expect(parseInstant('2026-11-01T00:00Z')).toEqual(new Date('2026-11-01T00:00:00Z'));
    expect(parseInstant('2026-11-01T00:00:00.123-02:00')).toEqual(
      new Date('2026-11-01T02:00:00.123Z'),
    );
    expect(parseInstant('2028-02-29T00:00:00Z')).toEqual(new Date('2028-02-29T00:00:00Z'));
  });
  it.each([
    '2026-11-01',
    '2026-11-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2026-11-01T24:00:00Z',
    '2026-11-01T00:00:00.1234Z',
    '2026-11-01 00:00:00Z',
    'yesterday',
  ])('refuses %p', (input) => {
    expect(parseInstant(input)).toBeNull();
  });
});

const v1: PriceSchedule = {
  currency: 'EUR',
  version: 1,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  carbonPricePerTonneMicro: 85_000_000n,
  energyPricePerKwhMicro: null,
  classMultipliersPpm: new Map([['high', 1_500_000n]]),
  defaultMultiplierPpm: 1_000_000n,
  overrunTiers: [{ fromShareOfAllocationPpm: 0n, surchargePpm: 250_000n }],
  reason: null,
};
const v2: PriceSchedule = {
  ...v1,
  version: 2,
  effectiveFrom: new Date('2026-03-01T00:00:00Z'),
  carbonPricePerTonneMicro: 100_000_000n,
  energyPricePerKwhMicro: 20_000n,
};

describe('selectSchedule', () => {
  it('selects the version effective at an instant, boundaries included', () => {
    const versions = [v2, v1]; // order of the array does not matter
    expect(selectSchedule(versions, new Date('2025-12-31T23:59:59.999Z'))).toBeNull();
    expect(selectSchedule(versions, new Date('2026-01-01T00:00:00.000Z'))).toBe(v1);
    expect(selectSchedule(versions, new Date('2026-02-28T23:59:59.999Z'))).toBe(v1);
    expect(selectSchedule(versions, new Date('2026-03-01T00:00:00.000Z'))).toBe(v2);
    expect(selectSchedule(versions, new Date('2030-01-01T00:00:00.000Z'))).toBe(v2);
    expect(selectSchedule([], new Date('2030-01-01T00:00:00.000Z'))).toBeNull();
  });
});

describe('checkPublication', () => {
  const codeOf = (f: () => void): string | null => {
    try {
      f();
      return null;
    } catch (error) {
      return (error as BillingError).code;
    }
  };
  const at = (instant: string) => new Date(instant);
  const errorOf = (f: () => void): BillingError | null => {
    try {
      f();
    } catch (error) {
      return error as BillingError;
    }
    return null;
  };

  it('accepts a version after the latest or before the earliest, never between', () => {
    // v1 from 2026-01-01, v2 from 2026-03-01.
    const versions = [v1, v2];
    expect(codeOf(() => checkPublication(versions, at('2026-03-01T00:00:00.001Z'), []))).toBeNull();
    expect(codeOf(() => checkPublication(versions, at('2025-12-31T23:59:59.999Z'), []))).toBeNull();
    for (const between of ['2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'])
      expect(codeOf(() => checkPublication(versions, at(between), []))).toBe(
        'BILLING.SCHEDULE_NOT_AFTER_LATEST',
      );
    expect(codeOf(() => checkPublication([], at('2026-03-01T00:00:00Z'), []))).toBeNull();
    expect(
      errorOf(() => checkPublication(versions, at('2026-02-01T00:00:00Z'), []))?.details,
    ).toEqual({
      currency: 'EUR',
      latestVersion: 2,
      latestEffectiveFrom: '2026-03-01T00:00:00.000Z',
      earliestEffectiveFrom: '2026-01-01T00:00:00.000Z',
      effectiveFrom: '2026-02-01T00:00:00.000Z',
    });
  });

  it('refuses a forward version in force during a closed period', () => {
    expect(codeOf(() => checkPublication([v2], at('2026-04-30T23:59:59.999Z'), ['2026-04']))).toBe(
      'BILLING.SCHEDULE_IN_CLOSED_PERIOD',
    );
    expect(codeOf(() => checkPublication([], at('2026-05-01T00:00:00Z'), ['2026-04']))).toBeNull();
    // Months closed out of order: a forward window runs on, so any later closed month counts.
    expect(codeOf(() => checkPublication([], at('2026-02-01T00:00:00Z'), ['2026-06']))).toBe(
      'BILLING.SCHEDULE_IN_CLOSED_PERIOD',
    );
    const error = errorOf(() =>
      checkPublication([], at('2026-04-15T00:00:00Z'), ['2026-03', '2026-04']),
    );
    expect(error?.status).toBe(409);
    expect(error?.details).toEqual({
      closedPeriod: '2026-04',
      effectiveFrom: '2026-04-15T00:00:00.000Z',
      effectiveUntil: null,
    });
  });

  it('lets a backward version price older months unless its window touches a closed one', () => {
    // Before v1 (2026-01-01): in force [effectiveFrom, 2026-01-01).
    expect(
      codeOf(() => checkPublication([v1, v2], at('2025-10-01T00:00:00Z'), ['2026-02'])),
    ).toBeNull();
    const error = errorOf(() =>
      checkPublication([v1, v2], at('2025-10-01T00:00:00Z'), ['2025-11']),
    );
    expect(error?.code).toBe('BILLING.SCHEDULE_IN_CLOSED_PERIOD');
    expect(error?.details).toEqual({
      closedPeriod: '2025-11',
      effectiveFrom: '2025-10-01T00:00:00.000Z',
      effectiveUntil: '2026-01-01T00:00:00.000Z',
    });
    // A closed month that ends exactly where the window starts is untouched.
    expect(
      codeOf(() => checkPublication([v1], at('2025-12-01T00:00:00Z'), ['2025-11'])),
    ).toBeNull();
  });
});

describe('scheduleToData / scheduleFromData', () => {
  it('round-trips with decimal integer strings and sorted classes', () => {
    const s: PriceSchedule = {
      ...v2,
      classMultipliersPpm: new Map([
        ['zeta', 2_000_000n],
        ['alpha', 500_000n],
      ]),
    };
    const data = scheduleToData(s);
    expect(data).toEqual({
      currency: 'EUR',
      version: 2,
      effectiveFrom: '2026-03-01T00:00:00.000Z',
      carbonPricePerTonneMicro: '100000000',
      energyPricePerKwhMicro: '20000',
      classMultipliersPpm: { alpha: '500000', zeta: '2000000' },
      defaultMultiplierPpm: '1000000',
      overrunTiers: [{ fromShareOfAllocationPpm: '0', surchargePpm: '250000' }],
      reason: null,
    });
    expect(Object.keys(data.classMultipliersPpm)).toEqual(['alpha', 'zeta']);
    expect(scheduleFromData(data)).toEqual(s);
    expect(scheduleFromData(scheduleToData(v1)).energyPricePerKwhMicro).toBeNull();
  });
});
