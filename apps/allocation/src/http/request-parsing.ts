// Query and body values the validation pipe cannot type by itself: time-travel points and exact
// amounts. Failures look like the pipe's own: REQUEST.INVALID with `details.fields`.
import { parseQuantity, QUANTITY_MAX, QuantityError } from '@plafond/contracts';
import type { AsOf } from '@plafond/ledger';
import { parseIsoInstant, PlafondError, PlatformErrorCode } from '@plafond/platform';

export const AS_OF_FORMAT =
  'an ISO-8601 instant with a time zone (2026-03-01T00:00:00Z) or a ledger position (position:1234)';

/** One field's problem, answered like the validation pipe answers a DTO's. */
export function invalidField(field: string, problem: string): PlafondError {
  return new PlafondError(
    PlatformErrorCode.requestInvalid,
    `The request is invalid: ${field}.`,
    { fields: [{ field, errors: [`${field} ${problem}`] }] },
    400,
  );
}

const POSITION = /^position:(0|[1-9][0-9]{0,18})$/;

/**
 * `?asOf=` → the ledger's time-travel point: an instant (events recorded at or before it) or a
 * global position (inclusive). Absent → undefined (now). A repeated parameter is refused rather
 * than guessed.
 */
export function parseAsOf(raw: unknown, field = 'asOf'): AsOf | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') return invalidWithFormat(field, 'must be given once');
  const position = POSITION.exec(raw);
  if (position !== null) {
    const value = BigInt(position[1] as string);
    if (value > QUANTITY_MAX)
      return invalidWithFormat(field, `must be at most position:${QUANTITY_MAX}`);
    return { position: value };
  }
  const at = parseIsoInstant(raw);
  if (at === undefined) return invalidWithFormat(field, `must be ${AS_OF_FORMAT}`);
  return { at };
}

function invalidWithFormat(field: string, problem: string): never {
  throw invalidField(field, problem);
}

/** The JSON form of a time-travel point, for views that echo it. */
export function describeAsOf(asOf: AsOf | undefined): string | null {
  if (asOf === undefined) return null;
  return 'position' in asOf ? `position:${asOf.position}` : asOf.at.toISOString();
}

/**
 * An amount in the dimension's base unit: a decimal integer string or a safe-integer JSON number.
 * DTOs check it with `@IsQuantityInput`, so here a failure is a bug of the DTO, still answered
 * with the quantity's own code.
 */
export function amountOf(
  input: unknown,
  field: string,
  options: { allowZero?: boolean } = {},
): bigint {
  try {
    return parseQuantity(input, { field, allowZero: options.allowZero ?? true });
  } catch (error) {
    if (error instanceof QuantityError) {
      throw new PlafondError(
        error.code,
        `The request is invalid: ${error.message}.`,
        { field: error.field, reason: error.detail },
        400,
      );
    }
    throw error;
  }
}

/** An optional amount: absent (undefined or null) stays undefined. */
export function optionalAmountOf(
  input: unknown,
  field: string,
  options: { allowZero?: boolean } = {},
): bigint | undefined {
  return input === undefined || input === null ? undefined : amountOf(input, field, options);
}

/** `?flag=true|false`; absent → the default. */
export function parseBooleanQuery(raw: unknown, field: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidField(field, 'must be true or false');
}
