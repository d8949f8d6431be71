// Small helpers of the read side's SQL: one REPEATABLE READ, READ ONLY transaction per answer, and
// conversions of PostgreSQL values (numeric and bigint arrive as text; never through a float).
import type { EventStore, SqlExecutor } from '@plafond/ledger';
import { BILLING_ERROR, BillingError } from '../domain/errors';

/**
 * Runs `work` in one REPEATABLE READ, READ ONLY transaction: every table an answer reads is seen
 * at the same snapshot, so its figures add up; READ ONLY takes no transaction id, so a long
 * report never holds back the ledger's readers.
 */
export function readSnapshot<T>(
  store: EventStore,
  work: (sql: SqlExecutor) => Promise<T>,
): Promise<T> {
  return store.transaction(async (tx) => {
    await tx.sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return work(tx.sql);
  });
}

/** An exact integer from a numeric / bigint column (text) or a count (number). */
export function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an exact integer: ${value}`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`not an integer: ${typeof value}`);
}

/** Decimal text of an integer column. */
export const intText = (value: unknown): string => big(value).toString();

/** ISO-8601 UTC instant of a timestamptz column. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new Error(`not a timestamp: ${typeof value}`);
}

const MAX_ID_LENGTH = 256;
const MAX_UNIT_FILTER = 10_000;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function refuse(path: string, code: string, message: string): BillingError {
  return new BillingError(BILLING_ERROR.INVALID_QUERY, message, {
    issues: [{ path, code, message }],
  });
}

export function validUnitId(input: unknown, path = 'unitId'): string {
  if (
    typeof input !== 'string' ||
    input.length === 0 ||
    input.length > MAX_ID_LENGTH ||
    CONTROL.test(input)
  )
    throw refuse(
      path,
      'QUERY.INVALID_UNIT',
      `${path} must be a unit id (1..${MAX_ID_LENGTH} printable characters)`,
    );
  return input;
}

/** undefined = every unit; otherwise a de-duplicated list (empty = nothing in scope). */
export function validUnitIds(input: readonly unknown[] | undefined): string[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input) || input.length > MAX_UNIT_FILTER)
    throw refuse(
      'unitIds',
      'QUERY.INVALID_UNITS',
      `unitIds must list at most ${MAX_UNIT_FILTER} unit ids`,
    );
  return [...new Set(input.map((id, index) => validUnitId(id, `unitIds[${index}]`)))];
}

export function validCurrency(input: unknown): string {
  if (typeof input !== 'string' || !/^[A-Z]{3}$/.test(input))
    throw refuse(
      'currency',
      'QUERY.INVALID_CURRENCY',
      'currency must be an ISO 4217 code (three capital letters)',
    );
  return input;
}

export function validInvoiceNumber(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64 || CONTROL.test(input))
    throw refuse(
      'invoiceNumber',
      'QUERY.INVALID_INVOICE',
      'invoiceNumber must be an invoice number',
    );
  return input;
}

/** null sorts first, then code-point order. */
export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
