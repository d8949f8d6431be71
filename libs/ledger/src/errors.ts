import type { ExpectedVersion } from './types';

/** Stable error codes of the ledger; callers branch on these, never on messages. */
export type LedgerErrorCode =
  | 'LEDGER.CONCURRENCY'
  | 'LEDGER.IDEMPOTENCY_CONFLICT'
  | 'LEDGER.INVALID_EVENT'
  | 'LEDGER.INVALID_ARGUMENT';

export abstract class LedgerError extends Error {
  abstract readonly code: LedgerErrorCode;
}

/**
 * Why an append lost a race: the stream moved, PostgreSQL broke a deadlock, retries ran out, or
 * (`RETRYABLE_TRANSACTION_ORDER`) a transaction that started writing after this one appended to
 * the stream first. Accepting the append would deliver the stream out of version order in
 * readAll, so the transaction must be retried as a whole, in a new transaction; nothing about
 * the command itself is wrong.
 */
export type ConcurrencyReason =
  | 'VERSION_MISMATCH'
  | 'DEADLOCK_OR_SERIALIZATION'
  | 'RETRIES_EXHAUSTED'
  | 'RETRYABLE_TRANSACTION_ORDER';

export class LedgerConcurrencyError extends LedgerError {
  readonly code = 'LEDGER.CONCURRENCY' as const;

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's version when the append was refused (0 = no stream); undefined when unknown. */
    readonly actual: bigint | undefined,
    readonly reason: ConcurrencyReason = 'VERSION_MISMATCH',
  ) {
    super(
      `LEDGER.CONCURRENCY: stream "${streamId}" expected version ${String(expected)}` +
        (actual === undefined ? '' : `, actual ${actual}`) +
        (reason === 'VERSION_MISMATCH' ? '' : ` (${reason})`),
    );
    this.name = 'LedgerConcurrencyError';
  }

  /** True when re-running the same unit of work in a new transaction may succeed as is. */
  get retryable(): boolean {
    return (
      this.reason === 'RETRYABLE_TRANSACTION_ORDER' || this.reason === 'DEADLOCK_OR_SERIALIZATION'
    );
  }
}

export class LedgerIdempotencyConflictError extends LedgerError {
  readonly code = 'LEDGER.IDEMPOTENCY_CONFLICT' as const;

  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly detail: string,
  ) {
    super(`LEDGER.IDEMPOTENCY_CONFLICT: event id "${eventId}" on stream "${streamId}": ${detail}`);
    this.name = 'LedgerIdempotencyConflictError';
  }
}

/** An event that cannot be stored exactly (non-integer number, bigint, NUL character, too large...). */
export class LedgerInvalidEventError extends LedgerError {
  readonly code = 'LEDGER.INVALID_EVENT' as const;

  constructor(readonly detail: string) {
    super(`LEDGER.INVALID_EVENT: ${detail}`);
    this.name = 'LedgerInvalidEventError';
  }
}

export class LedgerInvalidArgumentError extends LedgerError {
  readonly code = 'LEDGER.INVALID_ARGUMENT' as const;

  constructor(readonly detail: string) {
    super(`LEDGER.INVALID_ARGUMENT: ${detail}`);
    this.name = 'LedgerInvalidArgumentError';
  }
}

export const isLedgerError = (error: unknown): error is LedgerError => error instanceof LedgerError;
