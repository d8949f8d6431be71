// The billing service's errors become HTTP answers here, once: every BillingError code carries its
// status (domain/errors.ts BILLING_ERROR_STATUS); the platform's filter then answers
// `{ code, message, details }`. Errors that are not ours are returned unchanged (INTERNAL, logged).
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { LedgerConcurrencyError } from '@plafond/ledger';
import { PlafondError } from '@plafond/platform';
import { catchError, Observable, throwError } from 'rxjs';
import { BILLING_ERROR_STATUS, BillingError, type BillingErrorCode } from '../domain/errors';

export const LEDGER_CONCURRENCY = 'LEDGER.CONCURRENCY';
const CONFLICT = 409;

/** The status of a billing code (the domain's table; unknown codes are 422). */
export function httpStatusOf(code: string): number {
  return Object.hasOwn(BILLING_ERROR_STATUS, code)
    ? BILLING_ERROR_STATUS[code as BillingErrorCode]
    : 422;
}

function withCause(error: PlafondError, cause: unknown): PlafondError {
  // The filter logs `cause` with its stack; the client sees only code, message and details.
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true });
  return error;
}

/** The HTTP error for anything billing throws; other errors pass through unchanged. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof PlafondError) return error;
  if (error instanceof BillingError) {
    return new PlafondError(error.code, error.message, { ...error.details }, error.status);
  }
  if (error instanceof LedgerConcurrencyError) {
    // What is left after the unit of work's own retries: contention, not a wrong request.
    return withCause(
      new PlafondError(
        LEDGER_CONCURRENCY,
        'Another request changed the same data at the same time; retry the request.',
        {},
        CONFLICT,
      ),
      error,
    );
  }
  return error;
}

/** Applied to every billing controller; errors thrown by guards and pipes are already HTTP ones. */
@Injectable()
export class BillingErrorInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => toHttpError(error))));
  }
}
