// Failures that no retry of the same record can fix, whatever the consumer: the record's data is
// refused by the ledger (LEDGER.INVALID_EVENT: a NUL character, an oversized event) or by
// PostgreSQL itself (SQLSTATE class 22 "data exception": NUL in text, numeric overflow, …;
// class 54 "program limit exceeded": an index entry too large). Retrying them would block the
// partition for ever; they go to dead_letters. Concurrency, deadlocks and lost connections
// (classes 40, 57, 08, …) stay retryable.
import { LedgerInvalidEventError } from '@plafond/ledger';

const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '54']);

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The record's data itself is refused by the ledger or the database (dead letter, no retry). */
export function isPermanentDataFailure(error: unknown): boolean {
  if (error instanceof LedgerInvalidEventError) return true;
  const state = sqlState(error);
  return state !== undefined && PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2));
}
