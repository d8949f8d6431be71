// Decimal strings in, bigint fixed-point out, and back. Amounts never pass through a float:
// money in micro-units (10^-6) of a currency, multipliers in ppm, percentages in ppm (1 % = 10^4).
import { formatScaled } from './rounding';

export const MICRO_PER_UNIT = 1_000_000n;
export const PPM_PER_UNIT = 1_000_000n;
/** Longest accepted decimal string (digits, point): keeps parsing and bigint sizes bounded. */
export const MAX_DECIMAL_LENGTH = 40;

export type DecimalProblem = 'invalid' | 'out_of_range';

/** A decimal input refused by {@link parseDecimal}; callers map it to their own issue codes. */
export class DecimalFormatError extends Error {
  override readonly name = 'DecimalFormatError';
  constructor(
    readonly field: string,
    readonly problem: DecimalProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface DecimalOptions {
  readonly maxFractionDigits: number;
  /** Inclusive bounds on the SCALED value. */
  readonly min?: bigint;
  readonly max?: bigint;
}

/**
 * A non-negative decimal string ("85", "85.5", "0.000001") scaled by 10^maxFractionDigits.
 * Strings only (a JSON number may already have lost precision); no sign, exponent, spaces,
 * leading zeros ("05"), bare point ("1.", ".5") or more fraction digits than allowed.
 */
export function parseDecimal(input: unknown, field: string, opts: DecimalOptions): bigint {
  if (typeof input !== 'string') {
    throw new DecimalFormatError(field, 'invalid', `${field} must be a decimal string`);
  }
  const match =
    input.length <= MAX_DECIMAL_LENGTH ? /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(input) : null;
  if (match === null) {
    throw new DecimalFormatError(
      field,
      'invalid',
      `${field} must be a non-negative decimal string like "12.5"`,
    );
  }
  const integer = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > opts.maxFractionDigits) {
    throw new DecimalFormatError(
      field,
      'invalid',
      `${field} has more than ${opts.maxFractionDigits} fraction digits`,
    );
  }
  const scaled = BigInt(integer + fraction.padEnd(opts.maxFractionDigits, '0'));
  if (
    (opts.min !== undefined && scaled < opts.min) ||
    (opts.max !== undefined && scaled > opts.max)
  ) {
    const scale = opts.maxFractionDigits;
    const low = opts.min === undefined ? '' : formatScaled(opts.min, scale);
    const high = opts.max === undefined ? '' : formatScaled(opts.max, scale);
    throw new DecimalFormatError(
      field,
      'out_of_range',
      `${field} must be within [${low}, ${high}]`,
    );
  }
  return scaled;
}

/** Prices: at most 10^9 currency units. */
export const MAX_PRICE_MICRO = 1_000_000_000n * MICRO_PER_UNIT;
/** Multipliers: 0 to 100. */
export const MAX_MULTIPLIER_PPM = 100n * PPM_PER_UNIT;
/** Surcharges: 0 to 1000 %. */
export const MAX_SURCHARGE_PPM = 10n * PPM_PER_UNIT;

/** "85.5" → 85_500_000n (≤ 6 fraction digits, 0 … 10^9 units). */
export function parseMoneyToMicro(input: unknown, field: string): bigint {
  return parseDecimal(input, field, { maxFractionDigits: 6, min: 0n, max: MAX_PRICE_MICRO });
}

/** "1.25" → 1_250_000n (≤ 6 fraction digits, 0 … 100). */
export function parseMultiplierToPpm(input: unknown, field: string): bigint {
  return parseDecimal(input, field, { maxFractionDigits: 6, min: 0n, max: MAX_MULTIPLIER_PPM });
}

/** "12.5" (percent) → 125_000n ppm (≤ 4 fraction digits; bounds in ppm, default 0 … 1000 %). */
export function parsePercentToPpm(
  input: unknown,
  field: string,
  bounds: { min?: bigint; max?: bigint } = { min: 0n, max: MAX_SURCHARGE_PPM },
): bigint {
  return parseDecimal(input, field, { maxFractionDigits: 4, ...bounds });
}

/** Micro-units as a decimal with always 6 decimals: -1000001n → "-1.000001", 0n → "0.000000". */
export function formatMicro(micro: bigint): string {
  return formatScaled(micro, 6);
}

/** ppm as a plain decimal with 6 decimals: 1_250_000n → "1.250000". */
export function formatPpmAsDecimal(ppm: bigint): string {
  return formatScaled(ppm, 6);
}

/** ppm as a percentage with 4 decimals: 125_000n → "12.5000". */
export function formatPpmAsPercent(ppm: bigint): string {
  return formatScaled(ppm, 4);
}

/** A decimal integer string from an event / row ("-12", "0") as bigint; refuses anything else. */
export function parseIntegerString(input: string, field: string): bigint {
  if (!/^-?(0|[1-9][0-9]*)$/.test(input) || input === '-0') {
    throw new DecimalFormatError(field, 'invalid', `${field} must be a decimal integer string`);
  }
  return BigInt(input);
}
