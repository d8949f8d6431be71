import type { SubscriptionLogger } from '@plafond/ledger';
import type { JsonLogger } from '@plafond/platform';

/** The ledger's subscription/relay/inbox log lines, written through the service's JSON logger. */
export function subscriptionLogger(logger: JsonLogger, context: string): SubscriptionLogger {
  return { log: (level, message, fields) => logger.write(level, message, fields, context) };
}

/** `{ code?, message }` of anything thrown, for statuses (never a payload or a stack). */
export function summariseError(error: unknown): { code?: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? { code, message } : { message };
}
