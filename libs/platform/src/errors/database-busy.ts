// A request that could not get a PostgreSQL connection in time is overload, not a bug: the pool
// (or, embedded, the one PGlite session behind it) was busy with others. pg-pool says so with a
// plain Error, recognisable only by its message; it may arrive wrapped (`cause`) by our code.
// The step that wanted the connection did nothing; a request of one transaction did nothing at
// all, a batch (usage) may have recorded its first items. Either way the write endpoints are
// idempotent by their ids, so the client retries the same request: 503 with Retry-After, never
// 500 INTERNAL.

/** pg-pool's messages when the connection timeout (connectTimeoutMS) elapses. */
const POOL_TIMEOUT_MESSAGES: ReadonlySet<string> = new Set([
  // Waiting for a pooled connection while the pool is full.
  'timeout exceeded when trying to connect',
  // Opening a new connection took longer (embedded: the session was held by others).
  'Connection terminated due to connection timeout',
]);

/** Seconds a client should wait before retrying a request refused as busy. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

const MAX_CAUSE_DEPTH = 8;

/** True when `error`, or one of its causes, is pg-pool giving up on getting a connection. */
export function isDatabaseBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth += 1) {
    if (POOL_TIMEOUT_MESSAGES.has(current.message)) return true;
    current = current.cause;
  }
  return false;
}
