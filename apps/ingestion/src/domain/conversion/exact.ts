// Exact arithmetic for conversion. Factors are decimals, every intermediate value is a fraction
// of bigints, and a published quantity is rounded once, half up (see docs/conversion.md).
// Nothing here ever touches a float.

/** numerator / denominator, denominator > 0, always reduced. */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** units × 10^-scale, scale minimal (no trailing zero in the fraction). Never negative. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function ratio(numerator: bigint, denominator = 1n): Ratio {
  if (denominator === 0n) throw new RangeError('ratio: zero denominator');
  const sign = denominator < 0n ? -1n : 1n;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: (sign * numerator) / divisor, denominator: (sign * denominator) / divisor };
}

export const ZERO: Ratio = { numerator: 0n, denominator: 1n };

export function add(a: Ratio, b: Ratio): Ratio {
  return ratio(
    a.numerator * b.denominator + b.numerator * a.denominator,
    a.denominator * b.denominator,
  );
}

export function multiply(...factors: readonly Ratio[]): Ratio {
  let numerator = 1n;
  let denominator = 1n;
  for (const factor of factors) {
    numerator *= factor.numerator;
    denominator *= factor.denominator;
  }
  return ratio(numerator, denominator);
}

export function compareRatio(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The one rounding rule of conversion: to the nearest integer, halves away from zero
 * (half up, since converted quantities are never negative). floor((2n + d) / 2d) for n ≥ 0.
 */
export function roundHalfUp(value: Ratio): bigint {
  const { numerator, denominator } = value;
  if (numerator < 0n) return -roundHalfUp({ numerator: -numerator, denominator });
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * A ratio as a decimal string with at most `fractionDigits` decimals (rounded half up at that
 * digit, trailing zeros dropped). For explanations only: published quantities use roundHalfUp.
 */
export function formatRatio(value: Ratio, fractionDigits = 6): string {
  const scale = 10n ** BigInt(fractionDigits);
  const scaled = roundHalfUp(ratio(value.numerator * scale, value.denominator));
  return formatDecimal(
    canonicalDecimal(scaled < 0n ? -scaled : scaled, fractionDigits),
    scaled < 0n,
  );
}

/** Whether the ratio is a decimal with at most `fractionDigits` decimals. */
export function isExactAt(value: Ratio, fractionDigits: number): boolean {
  return (value.numerator * 10n ** BigInt(fractionDigits)) % value.denominator === 0n;
}

export function decimalToRatio(value: Decimal): Ratio {
  return ratio(value.units, 10n ** BigInt(value.scale));
}

export function integerRatio(value: bigint): Ratio {
  return { numerator: value, denominator: 1n };
}

function canonicalDecimal(units: bigint, scale: number): Decimal {
  let u = units;
  let s = scale;
  while (s > 0 && u % 10n === 0n) {
    u /= 10n;
    s -= 1;
  }
  return { units: u, scale: s };
}

export function formatDecimal(value: Decimal, negative = false): string {
  const digits = value.units.toString().padStart(value.scale + 1, '0');
  const integer = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale);
  const sign = negative && value.units !== 0n ? '-' : '';
  return fraction.length === 0 ? `${sign}${integer}` : `${sign}${integer}.${fraction}`;
}

export type DecimalProblem = 'format' | 'too-precise' | 'too-long';

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const MAX_DECIMAL_CHARS = 40;

/**
 * Parses a plain non-negative decimal string ("81.3", "0.000802", "400"): no sign, exponent,
 * whitespace or leading zeros, at most `maxFractionDigits` decimals. Trailing zeros are allowed
 * and dropped ("1.20" is 1.2).
 */
export function parseDecimal(text: string, maxFractionDigits: number): Decimal | DecimalProblem {
  if (text.length > MAX_DECIMAL_CHARS) return 'too-long';
  const match = DECIMAL.exec(text);
  if (match === null || match[1] === undefined) return 'format';
  const fraction = match[2] ?? '';
  if (fraction.replace(/0+$/, '').length > maxFractionDigits) return 'too-precise';
  return canonicalDecimal(BigInt(match[1] + fraction), fraction.length);
}

export function isDecimal(value: Decimal | DecimalProblem): value is Decimal {
  return typeof value === 'object';
}
