import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonLogger } from '../logging/json-logger';
import {
  CORRELATION_ID_HEADER,
  isAcceptableCorrelationId,
  newCorrelationId,
  runWithCorrelationId,
} from '../logging/correlation';

type Next = (error?: unknown) => void;

/** Probes hit these every few seconds; their access lines go to debug so info stays readable. */
const quietPaths = ['/health/live', '/health/ready'];

/**
 * Runs the rest of the request inside a correlation context: the caller's `x-correlation-id` when
 * it is well formed, a new one otherwise, echoed in the response header. Writes one access line
 * per finished request, with the caller's API key id once the guard has verified it.
 */
export function correlationMiddleware(logger: JsonLogger) {
  return (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    const offered = request.headers[CORRELATION_ID_HEADER];
    const correlationId = isAcceptableCorrelationId(offered) ? offered : newCorrelationId();
    response.setHeader(CORRELATION_ID_HEADER, correlationId);
    const startedAt = process.hrtime.bigint();
    runWithCorrelationId(correlationId, () => {
      response.once('finish', () => {
        const path = (request.url ?? '').split('?')[0] ?? '';
        const durationMs = Number((process.hrtime.bigint() - startedAt) / 1000n) / 1000;
        const level = quietPaths.includes(path) && response.statusCode < 500 ? 'debug' : 'info';
        // Set by the API key guard (auth/): who made the request, by key id (never the secret).
        const keyId = (request as { principal?: { keyId?: unknown } }).principal?.keyId;
        logger.write(
          level,
          'request completed',
          {
            method: request.method,
            path,
            status: response.statusCode,
            durationMs,
            ...(typeof keyId === 'string' ? { keyId } : {}),
          },
          'Http',
        );
      });
      next();
    });
  };
}
