// A unit of work = one ledger transaction that loads the streams it decides on, decides, and
// appends with the versions it loaded. Losing a race is not an error of the command: the whole
// unit is run again in a new transaction (bounded, with jittered backoff).
import { LedgerConcurrencyError } from '../errors';
import type { EventStore, TransactionalEventStore } from '../types';

export interface UnitOfWorkOptions {
  /** Attempts in all, first included (default 20). */
  maxAttempts?: number;
  /** Backoff before attempt n: random in [0, min(maxDelayMs, baseDelayMs × 2^n)) (full jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const DEFAULT_ATTEMPTS = 20;
const DEFAULT_BASE_DELAY_MS = 2;
const DEFAULT_MAX_DELAY_MS = 200;
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** Thrown inside a unit of work to have it run again (e.g. an index row taken concurrently). */
export class RetryUnitOfWork extends Error {
  override readonly name = 'RetryUnitOfWork';
  readonly retryable = true;
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Worth running the unit again: any ledger concurrency error (a unit reloads what it decides on,
 * so even a version mismatch is a fresh decision next time, unlike a bare append), a
 * serialization failure or deadlock, or an explicit RetryUnitOfWork.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof LedgerConcurrencyError || error instanceof RetryUnitOfWork) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runUnitOfWork<T>(
  store: EventStore,
  work: (tx: TransactionalEventStore) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.transaction(work);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
      await sleep(Math.random() * Math.min(cap, base * 2 ** attempt));
    }
  }
}
