import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the error, e.g. 'consumer group to be stable'. */
  readonly description?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 100;

/**
 * Polls `predicate` until it returns a value other than `false`, `undefined` or `null`, and
 * returns that value. Bounded by `timeoutMs`; the error names what was awaited and the last
 * failure the predicate threw, if any.
 */
export async function waitFor<T>(
  predicate: () => T | false | undefined | null | Promise<T | false | undefined | null>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!(timeoutMs > 0 && intervalMs > 0))
    throw new Error('waitFor: timeoutMs and intervalMs must be positive');
  const deadline = Date.now() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / intervalMs) + 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    try {
      const value = await predicate();
      if (value !== false && value !== undefined && value !== null) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    await sleep(Math.min(intervalMs, remainingMs));
  }
  const what = options.description ?? 'condition';
  const cause =
    lastError === undefined
      ? ''
      : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
  throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${cause}`, { cause: lastError });
}
