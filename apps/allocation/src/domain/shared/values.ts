// Checks of command input (refused with COMMAND.INVALID, naming the field) and the exact
// bigint <-> decimal string mapping of quantities in event data (asserted when read back).
import { DOMAIN_ERROR_CODES, invariant, refuse } from './domain-error';
import { DOMAIN_LIMITS } from './limits';

/** PostgreSQL bigint, the ledger's bound (same as QUANTITY_MAX in @plafond/contracts). */
export const AMOUNT_MAX = 9_223_372_036_854_775_807n;
const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,18})$/;
const DATE_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const BASIS_POINTS_FULL = 10_000;

export function invalid(field: string, reason: string): never {
  refuse(DOMAIN_ERROR_CODES.commandInvalid, `${field}: ${reason}`, { field, reason });
}

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(field, 'must be a non-empty string');
  if (value.length > DOMAIN_LIMITS.idLength)
    invalid(field, `must be at most ${DOMAIN_LIMITS.idLength} characters`);
  if (CONTROL_CHARACTERS.test(value) || value.trim() !== value)
    invalid(field, 'must not contain control characters or surrounding spaces');
  return value;
}

export function requireText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    invalid(field, 'must be a non-empty string');
  if (value.length > maxLength) invalid(field, `must be at most ${maxLength} characters`);
  if (CONTROL_CHARACTERS.test(value)) invalid(field, 'must not contain control characters');
  return value;
}

export function requireAmount(value: unknown, field: string, positive = false): bigint {
  if (typeof value !== 'bigint') invalid(field, 'must be a bigint');
  if (value < 0n) invalid(field, 'must not be negative');
  if (positive && value === 0n) invalid(field, 'must be positive');
  if (value > AMOUNT_MAX) invalid(field, 'exceeds the largest storable amount');
  return value;
}

export function requireBasisPoints(value: unknown, field: string, max = BASIS_POINTS_FULL): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max)
    invalid(field, `must be an integer number of basis points in 0..${max}`);
  return value;
}

export function requireNow(now: unknown): Date {
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    invalid('metadata.now', 'must be a valid Date');
  return now;
}

/** A calendar date `YYYY-MM-DD` that exists (lexical order = chronological order). */
export function requireCalendarDate(value: unknown, field: string): string {
  const match = typeof value === 'string' ? DATE_PATTERN.exec(value) : null;
  if (match === null) invalid(field, 'must be a date YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    invalid(field, 'is not a calendar date from 1970 on');
  return match[0];
}

/** Quantities travel in event data as decimal strings: JSON numbers lose precision above 2^53. */
export function amountText(value: bigint): string {
  invariant(value >= 0n && value <= AMOUNT_MAX, 'amount out of range', { value: String(value) });
  return value.toString();
}

/** The read-side half of the pair: an event amount that is not a canonical integer is corruption. */
export function amountOf(text: string, field: string): bigint {
  invariant(AMOUNT_PATTERN.test(text), 'event amount is not a canonical integer string', {
    field,
    value: String(text),
  });
  const value = BigInt(text);
  invariant(value <= AMOUNT_MAX, 'event amount out of range', { field, value: text });
  return value;
}

export const sumAmounts = (values: readonly bigint[]): bigint =>
  values.reduce((sum, value) => sum + value, 0n);

export const minAmount = (a: bigint, b: bigint): bigint => (a < b ? a : b);
