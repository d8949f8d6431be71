// One transaction, run again on a lost race (ledger concurrency, serialization failure,
// deadlock), bounded, with full-jitter backoff — the allocation service's pattern.
import {
  LedgerConcurrencyError,
  type EventStore,
  type TransactionalEventStore,
} from '@plafond/ledger';

const MAX_ATTEMPTS = 20;
const BASE_DELAY_MS = 2;
const MAX_DELAY_MS = 200;
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof LedgerConcurrencyError) return true;
  const state = sqlState(error);
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runUnitOfWork<T>(
  store: EventStore,
  work: (tx: TransactionalEventStore) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.transaction(work);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
    }
  }
}
