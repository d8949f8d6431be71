// Pricing against hand-computed values (see README.md for the formula).
import type { PriceSchedule } from './price-schedule';
import {
  PRICE_DENOMINATOR,
  exactCharge,
  multiplierFor,
  priceAdjustment,
  priceOverrunSurcharge,
  priceUsage,
  splitOverrun,
} from './pricing';

// 85.00 per tonne CO2e, 0.02 per kWh, high ×1.5, low ×0.5, default ×1.
const schedule: PriceSchedule = {
  currency: 'EUR',
  version: 1,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
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
    { fromShareOfAllocationPpm: 1_000_000n, surchargePpm: 1_000_000n },
  ],
  reason: null,
};
const carbonOnly: PriceSchedule = { ...schedule, energyPricePerKwhMicro: null };

// 1 g CO2e and 2 Wh: carbon 1e6 µg × 85e6 / 1e12 = 85 µ; energy 2e6 µWh × 2e4 / 1e9 = 40 µ.
const q = { carbonMicroGrams: 1_000_000n, energyMicroWh: 2_000_000n };

describe('multiplierFor', () => {
  it('uses the class multiplier, else the default (unknown class, null class)', () => {
    expect(multiplierFor(schedule, 'high')).toBe(1_500_000n);
    expect(multiplierFor(schedule, 'low')).toBe(500_000n);
    expect(multiplierFor(schedule, 'medium')).toBe(1_000_000n);
    expect(multiplierFor(schedule, null)).toBe(1_000_000n);
  });
  it('does not match class names case-insensitively', () => {
    expect(multiplierFor(schedule, 'HIGH')).toBe(1_000_000n);
  });
});

describe('exactCharge', () => {
  it('is carbon + energy times the multiplier over 10^18', () => {
    // (1e6 × 85e6 + 2e6 × 2e4 × 1e3) × 1e6 = 125e18 → 125 µ exactly
    expect(exactCharge(schedule, q, 1_000_000n)).toBe(125n * PRICE_DENOMINATOR);
    expect(exactCharge(schedule, q, 1_500_000n)).toBe((1875n * PRICE_DENOMINATOR) / 10n);
  });
  it('omits the energy component when the schedule has no energy price', () => {
    expect(exactCharge(carbonOnly, q, 1_000_000n)).toBe(85n * PRICE_DENOMINATOR);
  });
  it('keeps sub-micro precision until the single rounding', () => {
    // 1 µg × 85e6 / 1e12 = 0.000085 µ
    expect(exactCharge(carbonOnly, { carbonMicroGrams: 1n, energyMicroWh: 0n }, 1_000_000n)).toBe(
      85_000_000n * 1_000_000n,
    );
  });
});

describe('priceUsage', () => {
  it('prices with the class multiplier and rounds .5 away from zero', () => {
    expect(priceUsage(schedule, q, 'high')).toEqual({
      amountMicro: 188n,
      multiplierPpm: 1_500_000n,
    }); // 187.5
    expect(priceUsage(schedule, q, 'low')).toEqual({ amountMicro: 63n, multiplierPpm: 500_000n }); // 62.5
    expect(priceUsage(schedule, q, null)).toEqual({ amountMicro: 125n, multiplierPpm: 1_000_000n });
    expect(priceUsage(schedule, q, 'unknown')).toEqual({
      amountMicro: 125n,
      multiplierPpm: 1_000_000n,
    });
  });
  it('prices carbon only without an energy price', () => {
    expect(priceUsage(carbonOnly, q, 'high').amountMicro).toBe(128n); // 85 × 1.5 = 127.5
    expect(priceUsage(carbonOnly, q, 'low').amountMicro).toBe(43n); // 42.5
  });
  it('rounds below half down', () => {
    // 5 882 µg × 85e6 / 1e12 = 0.49997 µ → 0; 5 883 µg → 0.500055 → 1
    expect(
      priceUsage(carbonOnly, { carbonMicroGrams: 5_882n, energyMicroWh: 0n }, null).amountMicro,
    ).toBe(0n);
    expect(
      priceUsage(carbonOnly, { carbonMicroGrams: 5_883n, energyMicroWh: 0n }, null).amountMicro,
    ).toBe(1n);
  });
  it('prices a realistic usage', () => {
    // 12.345678 g and 48.5 Wh at 85 €/t and 0.02 €/kWh, high: (1049.38263 + 970) × 1.5 = 3029.073945 → 3029
    expect(
      priceUsage(schedule, { carbonMicroGrams: 12_345_678n, energyMicroWh: 48_500_000n }, 'high'),
    ).toEqual({ amountMicro: 3029n, multiplierPpm: 1_500_000n });
  });
  it('prices zero usage at zero', () => {
    expect(
      priceUsage(schedule, { carbonMicroGrams: 0n, energyMicroWh: 0n }, 'high').amountMicro,
    ).toBe(0n);
  });
});

describe('priceAdjustment', () => {
  it('is a credit (negative) when the usage shrinks, rounded once, .5 away from zero', () => {
    // exact(after) − exact(before) = 0 − 187.5 → −188
    expect(
      priceAdjustment(schedule, 1_500_000n, q, { carbonMicroGrams: 0n, energyMicroWh: 0n }),
    ).toBe(-188n);
  });
  it('is a debit when the usage grows', () => {
    // 375 − 187.5 = 187.5 → 188
    expect(
      priceAdjustment(schedule, 1_500_000n, q, {
        carbonMicroGrams: 2_000_000n,
        energyMicroWh: 4_000_000n,
      }),
    ).toBe(188n);
  });
  it('rounds the exact difference, not the difference of rounded amounts', () => {
    // before q (187.5), after half of q (93.75): −93.75 → −94
    expect(
      priceAdjustment(schedule, 1_500_000n, q, {
        carbonMicroGrams: 500_000n,
        energyMicroWh: 1_000_000n,
      }),
    ).toBe(-94n);
    // carbon only, low (×0.5): 1 g → 42.5 (its line: 43); 1.2 g → 51. Exact Δ 8.5 → 9, whereas
    // the difference of rounded amounts would be 51 − 43 = 8.
    expect(
      priceAdjustment(carbonOnly, 500_000n, q, { carbonMicroGrams: 1_200_000n, energyMicroWh: 0n }),
    ).toBe(9n);
  });
  it('is zero when nothing changed', () => {
    expect(priceAdjustment(schedule, 1_500_000n, q, q)).toBe(0n);
  });
});

describe('priceOverrunSurcharge', () => {
  // Tiers with L = 1000: [0, 500) +25 %, [500, 1000) +50 %, [1000, ∞) +100 %.
  it('splits an interval straddling two tiers', () => {
    // D = 400, O = 300, A = 600 → [300, 600): 200 at 25 %, 100 at 50 %
    // 125 × (200 × 0.25 + 100 × 0.5) / 400 = 125 × 0.25 = 31.25 → 31
    const result = priceOverrunSurcharge(schedule, 1_000_000n, q, {
      usageAmount: 400n,
      overrunAmount: 300n,
      overrunAfter: 600n,
      allocated: 1000n,
    });
    expect(result).toEqual({
      amountMicro: 31n,
      tiers: [
        { overrun: 200n, surchargePpm: 250_000n },
        { overrun: 100n, surchargePpm: 500_000n },
      ],
    });
  });
  it('uses the usage line multiplier', () => {
    // 187.5 × 0.25 = 46.875 → 47
    expect(
      priceOverrunSurcharge(schedule, 1_500_000n, q, {
        usageAmount: 400n,
        overrunAmount: 300n,
        overrunAfter: 600n,
        allocated: 1000n,
      })?.amountMicro,
    ).toBe(47n);
  });
  it('spans three tiers including the unbounded last one', () => {
    // [400, 1200): 100 at 25 %, 500 at 50 %, 200 at 100 % → (25 + 250 + 200) / 800 = 0.59375
    // 125 × 0.59375 = 74.21875 → 74
    expect(
      priceOverrunSurcharge(schedule, 1_000_000n, q, {
        usageAmount: 800n,
        overrunAmount: 800n,
        overrunAfter: 1200n,
        allocated: 1000n,
      }),
    ).toEqual({
      amountMicro: 74n,
      tiers: [
        { overrun: 100n, surchargePpm: 250_000n },
        { overrun: 500n, surchargePpm: 500_000n },
        { overrun: 200n, surchargePpm: 1_000_000n },
      ],
    });
  });
  it('puts everything in the last tier when the allocation is 0', () => {
    // L = 0: every bound is 0, so [0, 100) is all +100 %: 125 × 100 / 400 = 31.25 → 31
    expect(
      priceOverrunSurcharge(schedule, 1_000_000n, q, {
        usageAmount: 400n,
        overrunAmount: 100n,
        overrunAfter: 100n,
        allocated: 0n,
      }),
    ).toEqual({ amountMicro: 31n, tiers: [{ overrun: 100n, surchargePpm: 1_000_000n }] });
  });
  it('floors the tier bounds', () => {
    // L = 3: bounds floor(1.5) = 1 and 3 → [0,1) 25 %, [1,3) 50 %, [3,∞) 100 %; [0, 3) of D = 3
    expect(
      splitOverrun(schedule.overrunTiers, {
        usageAmount: 3n,
        overrunAmount: 3n,
        overrunAfter: 3n,
        allocated: 3n,
      }),
    ).toEqual([
      { overrun: 1n, surchargePpm: 250_000n },
      { overrun: 2n, surchargePpm: 500_000n },
    ]);
  });
  it('rounds a half surcharge away from zero', () => {
    // one tier +100 %, D = 2, O = 1: 125 × 1 / 2 = 62.5 → 63
    const single = {
      ...schedule,
      overrunTiers: [{ fromShareOfAllocationPpm: 0n, surchargePpm: 1_000_000n }],
    };
    expect(
      priceOverrunSurcharge(single, 1_000_000n, q, {
        usageAmount: 2n,
        overrunAmount: 1n,
        overrunAfter: 1n,
        allocated: 10n,
      })?.amountMicro,
    ).toBe(63n);
  });
  it('is 0 when the usage debit is 0', () => {
    expect(
      priceOverrunSurcharge(schedule, 1_000_000n, q, {
        usageAmount: 0n,
        overrunAmount: 0n,
        overrunAfter: 10n,
        allocated: 10n,
      })?.amountMicro,
    ).toBe(0n);
  });
  it('is null when the schedule has no tiers', () => {
    expect(
      priceOverrunSurcharge({ ...schedule, overrunTiers: [] }, 1_000_000n, q, {
        usageAmount: 400n,
        overrunAmount: 300n,
        overrunAfter: 600n,
        allocated: 1000n,
      }),
    ).toBeNull();
  });
});
