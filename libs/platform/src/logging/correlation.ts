import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id follows one unit of work (an HTTP request, later a Kafka message) through
 * every await, so each log line and each event's metadata can name it without passing it along.
 */
interface CorrelationContext {
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

/** Accepted from callers as is; anything else is replaced, so a header cannot forge log lines. */
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export const CORRELATION_ID_HEADER = 'x-correlation-id';

export function isAcceptableCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && acceptable.test(value);
}

export function newCorrelationId(): string {
  return randomUUID();
}

export function runWithCorrelationId<T>(correlationId: string, work: () => T): T {
  if (!isAcceptableCorrelationId(correlationId)) {
    throw new Error(`not a usable correlation id: ${JSON.stringify(correlationId)}`);
  }
  return storage.run({ correlationId }, work);
}

/** The id of the unit of work in progress, or undefined outside one (start-up, timers). */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
