import { jsonSafe, present, scheduleView } from './present';

describe('present', () => {
  it('adds a 6-decimal display field next to every …Micro amount, exactly', () => {
    expect(
      present({
        amountMicro: '-1000001',
        totalsMicro: { EUR: '113751', CHF: '0' },
        energyMicroWh: '1500000000',
        lines: [{ debitMicro: 127500n, creditMicro: '0' }],
        energyPricePerKwhMicro: null,
      }),
    ).toEqual({
      amountMicro: '-1000001',
      amount: '-1.000001',
      totalsMicro: { EUR: '113751', CHF: '0' },
      totals: { EUR: '0.113751', CHF: '0.000000' },
      energyMicroWh: '1500000000',
      lines: [{ debitMicro: '127500', debit: '0.127500', creditMicro: '0', credit: '0.000000' }],
      energyPricePerKwhMicro: null,
      energyPricePerKwh: null,
    });
  });

  it('keeps a display field the service already gives, and leaves non-amounts alone', () => {
    expect(present({ totalMicro: '5', total: '0.000005', multiplierPpm: '1250000' })).toEqual({
      totalMicro: '5',
      total: '0.000005',
      multiplierPpm: '1250000',
    });
    expect(present({ noteMicro: 'n/a' })).toEqual({ noteMicro: 'n/a' });
  });

  it('turns bigints, dates and maps into JSON', () => {
    expect(
      jsonSafe({ at: new Date('2026-11-01T00:00:00Z'), n: 12n, m: new Map([['a', 1n]]) }),
    ).toEqual({ at: '2026-11-01T00:00:00.000Z', n: '12', m: { a: '1' } });
  });
});

describe('scheduleView', () => {
  it('lists class multipliers in code-point order whatever order the store kept them in', () => {
    // PostgreSQL jsonb reorders keys (shorter first): the same schedule must read the same.
    const view = scheduleView({
      currency: 'EUR',
      version: 1,
      effectiveFrom: '2026-11-01T00:00:00.000Z',
      carbonPricePerTonneMicro: '85000000',
      energyPricePerKwhMicro: null,
      classMultipliersPpm: { useful: '1250000', essential: '1000000', discretionary: '2000000' },
      defaultMultiplierPpm: '1000000',
      overrunTiers: [],
      reason: null,
    });
    const order = ['discretionary', 'essential', 'useful'];
    expect(Object.keys(view.classMultipliers as object)).toEqual(order);
    expect(Object.keys(view.classMultipliersPpm as object)).toEqual(order);
  });

  it('renders prices, multipliers and tier percentages as decimals next to the exact values', () => {
    expect(
      scheduleView({
        currency: 'EUR',
        version: 3,
        effectiveFrom: '2026-11-01T00:00:00.000Z',
        carbonPricePerTonneMicro: '85500000',
        energyPricePerKwhMicro: null,
        classMultipliersPpm: { useful: '1250000' },
        defaultMultiplierPpm: '1000000',
        overrunTiers: [{ fromShareOfAllocationPpm: '200000', surchargePpm: '125000' }],
        reason: null,
      }),
    ).toEqual({
      currency: 'EUR',
      version: 3,
      effectiveFrom: '2026-11-01T00:00:00.000Z',
      carbonPricePerTonne: '85.500000',
      carbonPricePerTonneMicro: '85500000',
      energyPricePerKwh: null,
      energyPricePerKwhMicro: null,
      classMultipliers: { useful: '1.250000' },
      classMultipliersPpm: { useful: '1250000' },
      defaultMultiplier: '1.000000',
      defaultMultiplierPpm: '1000000',
      overrunTiers: [
        {
          fromPercentOfAllocation: '20.0000',
          surchargePercent: '12.5000',
          fromShareOfAllocationPpm: '200000',
          surchargePpm: '125000',
        },
      ],
      reason: null,
    });
  });
});
