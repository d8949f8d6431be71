import { QuantityError } from '@plafond/contracts';
import {
  LedgerConcurrencyError,
  LedgerIdempotencyConflictError,
  LedgerInvalidEventError,
} from '@plafond/ledger';
import { mapException, PlafondError, runWithCorrelationId } from '@plafond/platform';
import { lastValueFrom, throwError } from 'rxjs';
import { AllocationInvariantError, DOMAIN_ERROR_CODES, DomainError } from '../domain';
import {
  ALLOCATION_ERROR_STATUS,
  AllocationErrorInterceptor,
  httpStatusOf,
  toHttpError,
} from './error-mapping';

const answer = (error: unknown) => mapException(toHttpError(error));

/** The decision per code, written out once more: changing a status must be deliberate. */
const EXPECTED: Record<string, number> = {
  'COMMAND.INVALID': 400,
  'IDEMPOTENCY.CONFLICT': 409,
  'UNIT.NOT_FOUND': 404,
  'UNIT.ALREADY_EXISTS': 409,
  'UNIT.ARCHIVED': 422,
  'UNIT.CYCLE': 422,
  'UNIT.TOO_DEEP': 422,
  'UNIT.HAS_ACTIVE_CHILDREN': 422,
  'UNIT.HAS_OPEN_ALLOCATIONS': 422,
  'UNIT.LIMIT_EXCEEDED': 422,
  'UNIT.NOT_IN_BUDGET': 404,
  'CATALOG.CLASS_NOT_FOUND': 404,
  'CATALOG.CLASS_ALREADY_EXISTS': 409,
  'CATALOG.USE_CASE_NOT_FOUND': 404,
  'CATALOG.USE_CASE_ALREADY_EXISTS': 409,
  'CATALOG.USE_CASE_RETIRED': 422,
  'CATALOG.LIMIT_EXCEEDED': 422,
  'USECASE.PROHIBITED': 422,
  'USECASE.CLASS_CAP_EXCEEDED': 422,
  'USECASE.SHED_ABOVE_UTILISATION': 422,
  'BUDGET.NOT_FOUND': 404,
  'BUDGET.ALREADY_EXISTS': 409,
  'BUDGET.PERIOD_INVALID': 400,
  'BUDGET.TIME_ZONE_INVALID': 400,
  'BUDGET.CEILING_RAISE_FORBIDDEN': 422,
  'BUDGET.CEILING_BELOW_ALLOCATED': 422,
  'BUDGET.PERIOD_CLOSED': 422,
  'BUDGET.PERIOD_NOT_ENDED': 422,
  'BUDGET.ALLOCATION_ROOT_MISMATCH': 422,
  'BUDGET.ALLOCATION_EXCEEDS_CEILING': 422,
  'BUDGET.ALLOCATION_LIMIT_EXCEEDED': 422,
  'ACCOUNT.NOT_FOUND': 404,
  'QUOTA.EXCEEDED': 422,
  'QUOTA.UNIT_BLOCKED': 422,
  'RESERVATION.NOT_FOUND': 404,
  'RESERVATION.ALREADY_FINALISED': 409,
  'RESERVATION.COMMIT_EXCEEDS_RESERVED': 422,
  'RESERVATION.EXPIRED': 422,
  'RESERVATION.NOT_EXPIRED': 422,
  'RESERVATION.TOO_MANY_PENDING': 422,
  'TRANSFER.INSUFFICIENT_UNUSED': 422,
  'TRANSFER.SAME_UNIT': 422,
  'TRANSFER.UNIT_NOT_IN_BUDGET': 422,
  'ALLOCATION.NOT_FOUND': 404,
  'RESERVATION.NO_OPEN_BUDGET': 422,
  'RESERVATION.BUDGET_AMBIGUOUS': 422,
  'RESERVATION.BUSY': 503,
  'ALLOCATION.AMOUNT_INVALID': 400,
  'ALLOCATION.POLICY_INVALID': 400,
  'ALLOCATION.TREE_INVALID': 422,
};

describe('allocation error mapping', () => {
  it('gives every domain error code a status of its own listing', () => {
    const unlisted = Object.values(DOMAIN_ERROR_CODES).filter(
      (code) => !Object.hasOwn(ALLOCATION_ERROR_STATUS, code),
    );
    expect(unlisted).toEqual([]);
    expect(ALLOCATION_ERROR_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))(
    'answers a DomainError %s with status %i and its code, message and details',
    (code, status) => {
      const error = new DomainError(code as DomainError['code'], `refused: ${code}`, {
        unitId: 'team-a',
        available: '12',
      });
      expect(answer(error)).toEqual({
        status,
        body: { code, message: `refused: ${code}`, details: { unitId: 'team-a', available: '12' } },
      });
    },
  );

  it('falls back on the shape of codes nobody listed', () => {
    expect(httpStatusOf('WIDGET.NOT_FOUND')).toBe(404);
    expect(httpStatusOf('WIDGET.ALREADY_EXISTS')).toBe(409);
    expect(httpStatusOf('WIDGET.COLOUR_INVALID')).toBe(400);
    expect(httpStatusOf('WIDGET.TOO_BLUE')).toBe(422);
    expect(httpStatusOf('QUANTITY.NEGATIVE')).toBe(400);
    expect(httpStatusOf('ALLOCATION.INVARIANT_VIOLATED')).toBe(500);
  });

  it('answers a quantity error with its own code, the field and the reason', () => {
    const error = new QuantityError('QUANTITY.NEGATIVE', 'amount', 'must not be negative');
    expect(answer(error)).toEqual({
      status: 400,
      body: {
        code: 'QUANTITY.NEGATIVE',
        message: 'amount: must not be negative',
        details: { field: 'amount', reason: 'must not be negative' },
      },
    });
  });

  it('answers a broken invariant with 500, the correlation id and no internals', () => {
    const mapped = runWithCorrelationId('req-42', () =>
      toHttpError(
        new AllocationInvariantError('balance has negative availability', { unitId: 'x' }),
      ),
    );
    expect(mapException(mapped)).toEqual({
      status: 500,
      body: {
        code: 'ALLOCATION.INVARIANT_VIOLATED',
        message: expect.stringContaining('nothing was changed'),
        details: { correlationId: 'req-42' },
      },
    });
    expect(JSON.stringify(mapException(mapped).body)).not.toContain('negative availability');
    expect((mapped as Error & { cause?: unknown }).cause).toBeInstanceOf(AllocationInvariantError);
  });

  it('answers contention left after the retries with 409 LEDGER.CONCURRENCY', () => {
    const error = new LedgerConcurrencyError('account-1:b:u', 3n, 4n, 'RETRIES_EXHAUSTED');
    expect(answer(error)).toMatchObject({ status: 409, body: { code: 'LEDGER.CONCURRENCY' } });
    expect(JSON.stringify(answer(error).body)).not.toContain('account-1');
  });

  it('answers an event id reused with other content as IDEMPOTENCY.CONFLICT', () => {
    const error = new LedgerIdempotencyConflictError('ev-1', 'budget-b', 'other payload');
    expect(answer(error)).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY.CONFLICT' } });
  });

  it('maps coded errors of other classes only when the code is ours', () => {
    const ours = Object.assign(new Error('no open budget'), {
      code: 'RESERVATION.NO_OPEN_BUDGET',
      details: { unitId: 'u' },
    });
    expect(answer(ours)).toEqual({
      status: 422,
      body: {
        code: 'RESERVATION.NO_OPEN_BUDGET',
        message: 'no open budget',
        details: { unitId: 'u' },
      },
    });
    // A code of someone else's (Node's here) is not mapped: the bug it is answers 500.
    const foreign = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(toHttpError(foreign)).toBe(foreign);
    expect(answer(foreign).status).toBe(500);
  });

  it('leaves bugs and HTTP errors alone', () => {
    const bug = new LedgerInvalidEventError('bigint in data');
    expect(toHttpError(bug)).toBe(bug);
    expect(answer(bug)).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
    const http = new PlafondError('AUTH.FORBIDDEN', 'no', {}, 403);
    expect(toHttpError(http)).toBe(http);
  });

  it('maps errors thrown by a handler through the interceptor', async () => {
    const headers: Record<string, string> = {};
    const context = {
      switchToHttp: () => ({
        getResponse: () => ({
          setHeader: (name: string, value: string) => (headers[name] = value),
        }),
      }),
    };
    const interceptor = new AllocationErrorInterceptor();
    const refused = interceptor.intercept(context as never, {
      handle: () => throwError(() => new DomainError('QUOTA.EXCEEDED', 'no quota', {})),
    });
    await expect(lastValueFrom(refused)).rejects.toMatchObject({
      code: 'QUOTA.EXCEEDED',
      httpStatus: 422,
    });
    expect(headers).toEqual({});
    const busy = Object.assign(new Error('queue full'), { code: 'RESERVATION.BUSY', details: {} });
    const retried = interceptor.intercept(context as never, {
      handle: () => throwError(() => busy),
    });
    await expect(lastValueFrom(retried)).rejects.toMatchObject({ httpStatus: 503 });
    expect(headers).toEqual({ 'Retry-After': '1' });
  });
});
