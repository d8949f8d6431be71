/**
 * Exact parsing of quantities. Every amount in Plafond is an integer (bigint) in the smallest
 * unit of its dimension (see dimensions.ts); floats never enter the ledger. Inputs arrive either
 * as JSON numbers (only where the JSON parser cannot have lost precision) or as decimal strings.
 */

/** Largest quantity we accept: the PostgreSQL `bigint` maximum, where the ledger stores amounts. */
export const QUANTITY_MAX = 9_223_372_036_854_775_807n;
/** Micro-units per display unit (µWh per Wh, µgCO2e per gCO2e, micro-units per currency unit). */
export const MICRO_PER_UNIT = 1_000_000n;
export const MICRO_FRACTION_DIGITS = 6;
/** Longer strings cannot be valid (QUANTITY_MAX has 19 digits); refuse them before any work. */
const MAX_INPUT_CHARS = 64;
/** A double round-trips any decimal of at most 15 significant digits (DBL_DIG). */
const EXACT_DOUBLE_DIGITS = 15;

export const QUANTITY_ERROR = {
  missing: 'QUANTITY.MISSING',
  invalidType: 'QUANTITY.INVALID_TYPE',
  notAString: 'QUANTITY.NOT_A_STRING',
  empty: 'QUANTITY.EMPTY',
  whitespace: 'QUANTITY.WHITESPACE',
  notANumber: 'QUANTITY.NOT_A_NUMBER',
  notFinite: 'QUANTITY.NOT_FINITE',
  negative: 'QUANTITY.NEGATIVE',
  exponent: 'QUANTITY.EXPONENT',
  invalidFormat: 'QUANTITY.INVALID_FORMAT',
  notAnInteger: 'QUANTITY.NOT_AN_INTEGER',
  tooPrecise: 'QUANTITY.TOO_PRECISE',
  impreciseNumber: 'QUANTITY.IMPRECISE_NUMBER',
  outOfRange: 'QUANTITY.OUT_OF_RANGE',
  zero: 'QUANTITY.ZERO',
} as const;
export type QuantityErrorCode = (typeof QUANTITY_ERROR)[keyof typeof QUANTITY_ERROR];

export class QuantityError extends Error {
  override readonly name = 'QuantityError';
  constructor(
    readonly code: QuantityErrorCode,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export interface QuantityOptions {
  /** Names the input in error messages (`inputTokens`, `data.gpuMs`). */
  readonly field: string;
  /** Defaults to true; false turns 0 into QUANTITY.ZERO. */
  readonly allowZero?: boolean;
  /** Only decimal strings are accepted (what Plafond itself publishes: bigint-safe JSON). */
  readonly requireString?: boolean;
}

/**
 * Parses a non-negative integer count: a bigint, a JSON number that is a safe integer, or a
 * decimal string of digits without sign, leading zeros, fraction, exponent or whitespace.
 * `-0` is rejected as QUANTITY.NEGATIVE: a minus sign means the sender computed a credit, which
 * usage never is.
 */
export function parseQuantity(input: unknown, options: QuantityOptions): bigint {
  const { field } = options;
  let value: bigint;
  if (options.requireString === true && typeof input !== 'string') {
    throw absentOr(input, field, QUANTITY_ERROR.notAString, 'must be a decimal integer string');
  }
  if (typeof input === 'bigint') {
    if (input < 0n) throw new QuantityError(QUANTITY_ERROR.negative, field, 'must not be negative');
    value = input;
  } else if (typeof input === 'number') {
    checkNumberSign(input, field);
    if (!Number.isInteger(input)) {
      throw new QuantityError(QUANTITY_ERROR.notAnInteger, field, 'must be a whole number');
    }
    if (!Number.isSafeInteger(input)) {
      throw new QuantityError(
        QUANTITY_ERROR.outOfRange,
        field,
        'exceeds Number.MAX_SAFE_INTEGER; send it as a decimal string',
      );
    }
    value = BigInt(input);
  } else if (typeof input === 'string') {
    const parts = splitDecimal(input, field);
    if (parts.fraction !== undefined) {
      throw new QuantityError(QUANTITY_ERROR.notAnInteger, field, 'must be a whole number');
    }
    value = BigInt(parts.integer);
  } else {
    throw absentOr(input, field, QUANTITY_ERROR.invalidType, 'must be a number or a string');
  }
  return checkRange(value, field, options.allowZero ?? true);
}

/**
 * Parses a non-negative decimal with at most 6 fractional digits into micro-units:
 * `"1.5"` → 1_500_000n. JSON numbers are accepted when they hold at most 15 significant digits,
 * the limit below which the JSON parser cannot have altered the decimal the sender wrote.
 */
export function parseDecimalToMicro(input: unknown, options: QuantityOptions): bigint {
  const { field } = options;
  let text: string;
  if (options.requireString === true && typeof input !== 'string') {
    throw absentOr(input, field, QUANTITY_ERROR.notAString, 'must be a decimal string');
  }
  if (typeof input === 'number') {
    checkNumberSign(input, field);
    if (input > Number.MAX_SAFE_INTEGER) {
      throw new QuantityError(QUANTITY_ERROR.outOfRange, field, 'too large for a JSON number');
    }
    text = String(input);
    // Below 1e-6 String() switches to exponent form; such a value has too many decimals anyway.
    if (text.includes('e')) {
      throw new QuantityError(QUANTITY_ERROR.tooPrecise, field, 'at most 6 decimal places');
    }
    if (!Number.isInteger(input) && significantDigits(text) > EXACT_DOUBLE_DIGITS) {
      throw new QuantityError(
        QUANTITY_ERROR.impreciseNumber,
        field,
        'more than 15 significant digits cannot be exact in a JSON number; send a decimal string',
      );
    }
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw absentOr(input, field, QUANTITY_ERROR.invalidType, 'must be a number or a string');
  }
  const parts = splitDecimal(text, field);
  const fraction = parts.fraction ?? '';
  if (fraction.length > MICRO_FRACTION_DIGITS) {
    throw new QuantityError(QUANTITY_ERROR.tooPrecise, field, 'at most 6 decimal places');
  }
  const micro =
    BigInt(parts.integer) * MICRO_PER_UNIT +
    BigInt(fraction.padEnd(MICRO_FRACTION_DIGITS, '0') || '0');
  return checkRange(micro, field, options.allowZero ?? true);
}

/** Renders micro-units as the shortest exact decimal: 1_500_000n → "1.5", 1n → "0.000001". */
export function formatMicro(micro: bigint): string {
  const sign = micro < 0n ? '-' : '';
  const magnitude = micro < 0n ? -micro : micro;
  const integer = magnitude / MICRO_PER_UNIT;
  const fraction = (magnitude % MICRO_PER_UNIT)
    .toString()
    .padStart(MICRO_FRACTION_DIGITS, '0')
    .replace(/0+$/, '');
  return fraction.length === 0 ? `${sign}${integer}` : `${sign}${integer}.${fraction}`;
}

/** Renders an integer quantity the way Plafond publishes it in JSON: a decimal string. */
export function formatQuantity(quantity: bigint): string {
  return quantity.toString();
}

function absentOr(input: unknown, field: string, code: QuantityErrorCode, detail: string) {
  if (input === undefined || input === null) {
    return new QuantityError(QUANTITY_ERROR.missing, field, 'is required');
  }
  return new QuantityError(code, field, detail);
}

function checkNumberSign(input: number, field: string): void {
  if (Number.isNaN(input)) throw new QuantityError(QUANTITY_ERROR.notANumber, field, 'is NaN');
  if (!Number.isFinite(input)) {
    throw new QuantityError(QUANTITY_ERROR.notFinite, field, 'must be finite');
  }
  if (input < 0 || Object.is(input, -0)) {
    throw new QuantityError(QUANTITY_ERROR.negative, field, 'must not be negative');
  }
}

function checkRange(value: bigint, field: string, allowZero: boolean): bigint {
  if (value > QUANTITY_MAX) {
    throw new QuantityError(QUANTITY_ERROR.outOfRange, field, `exceeds ${QUANTITY_MAX}`);
  }
  if (value === 0n && !allowZero) {
    throw new QuantityError(QUANTITY_ERROR.zero, field, 'must be greater than zero');
  }
  return value;
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const EXPONENT_FORM = /^\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$/;

/** Splits a canonical decimal string; the checks run from most to least specific diagnosis. */
function splitDecimal(text: string, field: string): { integer: string; fraction?: string } {
  if (text.length === 0) throw new QuantityError(QUANTITY_ERROR.empty, field, 'is empty');
  if (/\s/.test(text)) {
    throw new QuantityError(QUANTITY_ERROR.whitespace, field, 'must not contain whitespace');
  }
  if (text.length > MAX_INPUT_CHARS) {
    throw new QuantityError(QUANTITY_ERROR.outOfRange, field, 'has too many digits');
  }
  if (/^[+-]?nan$/i.test(text)) throw new QuantityError(QUANTITY_ERROR.notANumber, field, 'is NaN');
  if (/^[+-]?inf(inity)?$/i.test(text)) {
    throw new QuantityError(QUANTITY_ERROR.notFinite, field, 'must be finite');
  }
  if (text.startsWith('-')) {
    throw new QuantityError(QUANTITY_ERROR.negative, field, 'must not be negative');
  }
  if (EXPONENT_FORM.test(text)) {
    throw new QuantityError(QUANTITY_ERROR.exponent, field, 'exponent notation is not accepted');
  }
  const match = DECIMAL.exec(text);
  if (match === null || match[1] === undefined) {
    throw new QuantityError(
      QUANTITY_ERROR.invalidFormat,
      field,
      'must be plain decimal digits without sign or leading zeros',
    );
  }
  return match[2] === undefined ? { integer: match[1] } : { integer: match[1], fraction: match[2] };
}

function significantDigits(text: string): number {
  return text.replace('.', '').replace(/^0+/, '').length;
}
