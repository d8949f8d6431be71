/** Structured log sink; the default writes one JSON object per line to stderr. */
export interface SubscriptionLogger {
  log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
}

export const jsonStderrLogger: SubscriptionLogger = {
  log(level, message, fields) {
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), message, ...fields })}\n`,
    );
  },
};

export function describeError(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
  }
  return { message: String(error) };
}
