// Pricing of usage, adjustments and overrun surcharges. Every price is an exact rational over one
// common denominator and is rounded ONCE per line, half away from zero (see README.md).
import type { PriceSchedule } from './price-schedule';
import { roundHalfAwayFromZero } from './rounding';

export interface Quantities {
  energyMicroWh: bigint;
  carbonMicroGrams: bigint;
}

/** Denominator of {@link exactCharge}: 10^12 µg per tonne × 10^6 ppm. */
export const PRICE_DENOMINATOR = 10n ** 18n;
/** µWh per kWh (10^9) relative to µg per tonne (10^12): the energy term is scaled by 10^3. */
const ENERGY_SCALE = 1_000n;
const PPM = 1_000_000n;

/** The class's multiplier, else the default (also for an unknown class, null). */
export function multiplierFor(s: PriceSchedule, usefulnessClass: string | null): bigint {
  if (usefulnessClass === null) return s.defaultMultiplierPpm;
  return s.classMultipliersPpm.get(usefulnessClass) ?? s.defaultMultiplierPpm;
}

/**
 * The exact charge in micro-units as a numerator over PRICE_DENOMINATOR:
 * (carbonµg × carbonPricePerTonneMicro / 10^12 + energyµWh × energyPricePerKwhMicro / 10^9)
 *   × multiplierPpm / 10^6
 * = (carbonµg × P_c + energyµWh × P_e × 10^3) × multiplierPpm / 10^18.
 */
export function exactCharge(s: PriceSchedule, q: Quantities, multiplierPpm: bigint): bigint {
  const carbon = q.carbonMicroGrams * s.carbonPricePerTonneMicro;
  const energy =
    s.energyPricePerKwhMicro === null
      ? 0n
      : q.energyMicroWh * s.energyPricePerKwhMicro * ENERGY_SCALE;
  return (carbon + energy) * multiplierPpm;
}

/** The usage line: its multiplier and its amount rounded once. */
export function priceUsage(
  s: PriceSchedule,
  q: Quantities,
  usefulnessClass: string | null,
): { amountMicro: bigint; multiplierPpm: bigint } {
  const multiplierPpm = multiplierFor(s, usefulnessClass);
  return {
    amountMicro: roundHalfAwayFromZero(exactCharge(s, q, multiplierPpm), PRICE_DENOMINATOR),
    multiplierPpm,
  };
}

/**
 * A credit / debit note: round(exact(after) − exact(before)) at the original line's schedule and
 * multiplier. Negative = credit note.
 */
export function priceAdjustment(
  s: PriceSchedule,
  multiplierPpm: bigint,
  before: Quantities,
  after: Quantities,
): bigint {
  return roundHalfAwayFromZero(
    exactCharge(s, after, multiplierPpm) - exactCharge(s, before, multiplierPpm),
    PRICE_DENOMINATOR,
  );
}

export interface OverrunFigures {
  /** D: the usage's whole debit in the budget's dimension. */
  usageAmount: bigint;
  /** O: its part beyond the allocation. */
  overrunAmount: bigint;
  /** A: the account's overrun after this usage. */
  overrunAfter: bigint;
  /** L: the account's allocation. */
  allocated: bigint;
}

/**
 * Splits the overrun interval [A − O, A) over the tiers: tier i covers
 * [floor(L·from_i / 10^6), floor(L·from_{i+1} / 10^6)), the last one unbounded. Returns only the
 * tiers the interval overlaps, in tier order.
 */
export function splitOverrun(
  tiers: PriceSchedule['overrunTiers'],
  o: OverrunFigures,
): { overrun: bigint; surchargePpm: bigint }[] {
  const low = o.overrunAfter - o.overrunAmount;
  const high = o.overrunAfter;
  const parts: { overrun: bigint; surchargePpm: bigint }[] = [];
  tiers.forEach((tier, index) => {
    const start = (o.allocated * tier.fromShareOfAllocationPpm) / PPM;
    const next = tiers[index + 1];
    const end = next === undefined ? null : (o.allocated * next.fromShareOfAllocationPpm) / PPM;
    const from = low > start ? low : start;
    const to = end === null || high < end ? high : end;
    const overlap = to - from;
    if (overlap > 0n) parts.push({ overrun: overlap, surchargePpm: tier.surchargePpm });
  });
  return parts;
}

/**
 * The surcharge of one (usage, budget):
 * round(exact(usage) × Σ overlap_i × surchargePpm_i / (D × 10^6)); D = 0 → 0.
 * Null when the schedule has no tiers (no surcharge line).
 */
export function priceOverrunSurcharge(
  s: PriceSchedule,
  multiplierPpm: bigint,
  q: Quantities,
  o: OverrunFigures,
): { amountMicro: bigint; tiers: { overrun: bigint; surchargePpm: bigint }[] } | null {
  if (s.overrunTiers.length === 0) return null;
  const tiers = splitOverrun(s.overrunTiers, o);
  if (o.usageAmount <= 0n) return { amountMicro: 0n, tiers };
  const weighted = tiers.reduce((sum, t) => sum + t.overrun * t.surchargePpm, 0n);
  const amountMicro = roundHalfAwayFromZero(
    exactCharge(s, q, multiplierPpm) * weighted,
    PRICE_DENOMINATOR * o.usageAmount * PPM,
  );
  return { amountMicro, tiers };
}
