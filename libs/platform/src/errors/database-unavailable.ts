// A request that failed because PostgreSQL was unreachable (restarting, failing over, crashed) is
// an outage of a dependency, not a bug: 503 SERVICE.UNAVAILABLE with Retry-After, never 500
// INTERNAL. The pool reconnects by itself once the server is back, so the same request succeeds
// on retry. Whether a transaction whose COMMIT was in flight when the connection dropped took
// effect is unknown to us, which is why every write endpoint is idempotent by its ids: the
// client retries with the same ids and nothing is applied twice.
//
// The error may come from the driver (pg), from TypeORM (QueryFailedError keeps the driver's
// error as `driverError` and copies its `code`), or wrapped by our code (`cause`).

/** Seconds a client should wait before retrying a request refused while the database is away. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/**
 * SQLSTATEs of a server that is going away or not accepting sessions yet: class 08 (connection
 * exception) is matched by prefix; 57P01 admin_shutdown (fast stop), 57P02 crash_shutdown (a
 * sibling backend crashed), 57P03 cannot_connect_now (starting up, shutting down, in recovery).
 */
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03']);

/** Socket errors of a server that is down or unreachable. */
const UNAVAILABLE_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** pg's own messages when the socket closed under a client (no code is attached to them). */
const UNAVAILABLE_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated unexpectedly',
  'Client has encountered a connection error and is not queryable',
]);

const MAX_DEPTH = 8;

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isUnavailableItself(error: Error): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return UNAVAILABLE_MESSAGES.has(error.message);
}

/** True when `error`, its TypeORM driver error or one of its causes says PostgreSQL is away. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  for (let depth = 0; depth < MAX_DEPTH && pending.length > 0; depth += 1) {
    const current = pending.shift();
    if (!(current instanceof Error)) continue;
    if (isUnavailableItself(current)) return true;
    const { driverError } = current as { driverError?: unknown };
    pending.push(driverError, current.cause);
  }
  return false;
}
