import type { JsonLogger } from './json-logger';

/** The shape of the ledger's `SubscriptionLogger` (the platform does not depend on the ledger). */
export interface EdgeLogger {
  log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

/** The ledger's subscription/relay/inbox log lines, written through the service's JSON logger. */
export function subscriptionLogger(logger: JsonLogger, context: string): EdgeLogger {
  return { log: (level, message, fields) => logger.write(level, message, fields, context) };
}

/** `{ code?, message }` of anything thrown, for statuses (never a payload or a stack). */
export function summariseError(error: unknown): { code?: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? { code, message } : { message };
}
