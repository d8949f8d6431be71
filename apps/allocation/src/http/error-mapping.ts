// The allocation service's errors become HTTP answers here, once: every domain code has a
// deliberate status (a new code without one fails error-mapping.spec.ts), the platform's filter
// then answers `{ code, message, details }`.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { QuantityError } from '@plafond/contracts';
import { LedgerConcurrencyError, LedgerIdempotencyConflictError } from '@plafond/ledger';
import { currentCorrelationId, PlafondError } from '@plafond/platform';
import { catchError, Observable, throwError } from 'rxjs';
import { AllocationInvariantError, DomainError } from '../domain';

const BAD_REQUEST = 400;
const NOT_FOUND = 404;
const CONFLICT = 409;
const UNPROCESSABLE = 422;
const INTERNAL = 500;
const UNAVAILABLE = 503;

/**
 * Every code the allocation service raises on purpose, with its status. 400: the request itself
 * is wrong whatever the state; 404: what it names does not exist; 409: it collides with
 * something already there (an id reused for another request, a finalised reservation); 422: a
 * well-formed request the current state refuses (quota, class rules, closed periods...); 503:
 * nothing was decided and the same request may succeed later.
 */
export const ALLOCATION_ERROR_STATUS: Readonly<Record<string, number>> = {
  'COMMAND.INVALID': BAD_REQUEST,
  'IDEMPOTENCY.CONFLICT': CONFLICT,
  'UNIT.NOT_FOUND': NOT_FOUND,
  'UNIT.ALREADY_EXISTS': CONFLICT,
  'UNIT.ARCHIVED': UNPROCESSABLE,
  'UNIT.CYCLE': UNPROCESSABLE,
  'UNIT.TOO_DEEP': UNPROCESSABLE,
  'UNIT.HAS_ACTIVE_CHILDREN': UNPROCESSABLE,
  'UNIT.HAS_OPEN_ALLOCATIONS': UNPROCESSABLE,
  'UNIT.LIMIT_EXCEEDED': UNPROCESSABLE,
  'UNIT.NOT_IN_BUDGET': NOT_FOUND,
  'CATALOG.CLASS_NOT_FOUND': NOT_FOUND,
  'CATALOG.CLASS_ALREADY_EXISTS': CONFLICT,
  'CATALOG.USE_CASE_NOT_FOUND': NOT_FOUND,
  'CATALOG.USE_CASE_ALREADY_EXISTS': CONFLICT,
  'CATALOG.USE_CASE_RETIRED': UNPROCESSABLE,
  'CATALOG.LIMIT_EXCEEDED': UNPROCESSABLE,
  'USECASE.PROHIBITED': UNPROCESSABLE,
  'USECASE.CLASS_CAP_EXCEEDED': UNPROCESSABLE,
  'USECASE.SHED_ABOVE_UTILISATION': UNPROCESSABLE,
  'BUDGET.NOT_FOUND': NOT_FOUND,
  'BUDGET.ALREADY_EXISTS': CONFLICT,
  'BUDGET.PERIOD_INVALID': BAD_REQUEST,
  'BUDGET.TIME_ZONE_INVALID': BAD_REQUEST,
  'BUDGET.CEILING_RAISE_FORBIDDEN': UNPROCESSABLE,
  'BUDGET.CEILING_BELOW_ALLOCATED': UNPROCESSABLE,
  'BUDGET.PERIOD_CLOSED': UNPROCESSABLE,
  'BUDGET.PERIOD_NOT_ENDED': UNPROCESSABLE,
  'BUDGET.ALLOCATION_ROOT_MISMATCH': UNPROCESSABLE,
  'BUDGET.ALLOCATION_EXCEEDS_CEILING': UNPROCESSABLE,
  'BUDGET.ALLOCATION_LIMIT_EXCEEDED': UNPROCESSABLE,
  'ACCOUNT.NOT_FOUND': NOT_FOUND,
  'QUOTA.EXCEEDED': UNPROCESSABLE,
  'QUOTA.UNIT_BLOCKED': UNPROCESSABLE,
  'RESERVATION.NOT_FOUND': NOT_FOUND,
  'RESERVATION.ALREADY_FINALISED': CONFLICT,
  'RESERVATION.COMMIT_EXCEEDS_RESERVED': UNPROCESSABLE,
  'RESERVATION.EXPIRED': UNPROCESSABLE,
  'RESERVATION.NOT_EXPIRED': UNPROCESSABLE,
  'RESERVATION.TOO_MANY_PENDING': UNPROCESSABLE,
  'TRANSFER.INSUFFICIENT_UNUSED': UNPROCESSABLE,
  'TRANSFER.SAME_UNIT': UNPROCESSABLE,
  'TRANSFER.UNIT_NOT_IN_BUDGET': UNPROCESSABLE,
  // Raised by the application services (not the pure domain).
  'ALLOCATION.NOT_FOUND': NOT_FOUND,
  'RESERVATION.NO_OPEN_BUDGET': UNPROCESSABLE,
  'RESERVATION.BUDGET_AMBIGUOUS': UNPROCESSABLE,
  // This instance's reservation queue is full: nothing was decided, retry with the same id.
  'RESERVATION.BUSY': UNAVAILABLE,
  // The criteria's result codes, when a service surfaces them: the policy and the amount are the
  // caller's input (400); the tree is the stored organisation, not the request (422).
  'ALLOCATION.AMOUNT_INVALID': BAD_REQUEST,
  'ALLOCATION.POLICY_INVALID': BAD_REQUEST,
  'ALLOCATION.TREE_INVALID': UNPROCESSABLE,
};

export const INVARIANT_VIOLATED = 'ALLOCATION.INVARIANT_VIOLATED';
export const LEDGER_CONCURRENCY = 'LEDGER.CONCURRENCY';

/** The status of a code; a code nobody listed falls back on its shape, then on 422. */
export function httpStatusOf(code: string): number {
  if (code === INVARIANT_VIOLATED) return INTERNAL;
  if (code.startsWith('QUANTITY.')) return BAD_REQUEST;
  const listed = ALLOCATION_ERROR_STATUS[code];
  if (listed !== undefined) return listed;
  if (code.endsWith('.NOT_FOUND')) return NOT_FOUND;
  if (code.endsWith('.ALREADY_EXISTS') || code.endsWith('.ALREADY_FINALISED')) return CONFLICT;
  if (code.endsWith('_INVALID') || code.endsWith('.INVALID')) return BAD_REQUEST;
  return UNPROCESSABLE;
}

/** An error carrying one of our codes without being a DomainError (an application error class). */
interface CodedError {
  code: string;
  message: string;
  details?: unknown;
}

function isCoded(error: unknown): error is Error & CodedError {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & Partial<CodedError>).code;
  return typeof code === 'string' && Object.hasOwn(ALLOCATION_ERROR_STATUS, code);
}

function detailsOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function withCause(error: PlafondError, cause: unknown): PlafondError {
  // The filter logs `cause` with its stack; the client sees only code, message and details.
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true });
  return error;
}

/**
 * The HTTP error for anything the allocation code throws; errors that are not ours (a bug, the
 * database gone) are returned unchanged, for the filter to answer INTERNAL and log.
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof PlafondError) return error;
  if (error instanceof AllocationInvariantError) {
    const correlationId = currentCorrelationId();
    return withCause(
      new PlafondError(
        INVARIANT_VIOLATED,
        'An internal consistency check failed and nothing was changed. Quote the correlation id when reporting it.',
        correlationId === undefined ? {} : { correlationId },
        INTERNAL,
      ),
      error,
    );
  }
  if (error instanceof DomainError) {
    return new PlafondError(error.code, error.message, error.details, httpStatusOf(error.code));
  }
  if (error instanceof QuantityError) {
    return new PlafondError(
      error.code,
      error.message,
      { field: error.field, reason: error.detail },
      BAD_REQUEST,
    );
  }
  if (error instanceof LedgerConcurrencyError) {
    // What is left after the unit of work's own retries: contention, not a wrong request.
    return withCause(
      new PlafondError(
        LEDGER_CONCURRENCY,
        'Another request changed the same data at the same time; retry with the same ids.',
        {},
        CONFLICT,
      ),
      error,
    );
  }
  if (error instanceof LedgerIdempotencyConflictError) {
    return withCause(
      new PlafondError(
        'IDEMPOTENCY.CONFLICT',
        'This id was already used for a different request.',
        {},
        CONFLICT,
      ),
      error,
    );
  }
  if (isCoded(error)) {
    return new PlafondError(
      error.code,
      error.message,
      detailsOf(error.details),
      httpStatusOf(error.code),
    );
  }
  return error;
}

/** Applied to every allocation controller; errors thrown by guards and pipes are already HTTP ones. */
@Injectable()
export class AllocationErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const mapped = toHttpError(error);
        if (mapped instanceof PlafondError && mapped.httpStatus === UNAVAILABLE) {
          const response = context.switchToHttp().getResponse<{ setHeader?: SetHeader }>();
          response.setHeader?.('Retry-After', '1');
        }
        return throwError(() => mapped);
      }),
    );
  }
}

type SetHeader = (name: string, value: string) => void;
