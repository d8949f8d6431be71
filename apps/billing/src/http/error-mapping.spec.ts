import { LedgerConcurrencyError } from '@plafond/ledger';
import { PlafondError } from '@plafond/platform';
import { BILLING_ERROR, BILLING_ERROR_STATUS, BillingError } from '../domain/errors';
import { toHttpError } from './error-mapping';
import { documentedStatusOf, ERROR_EXAMPLES } from './openapi-errors';

/** Codes that are never an HTTP answer (held-usage reason, consumer failures). */
const NOT_HTTP = new Set<string>([
  BILLING_ERROR.NO_PRICE_SCHEDULE,
  BILLING_ERROR.UNKNOWN_USAGE,
  BILLING_ERROR.INVALID_MESSAGE,
]);

describe('billing error mapping', () => {
  it('answers every BillingError with its code, details and the domain’s status', () => {
    for (const code of Object.values(BILLING_ERROR)) {
      const mapped = toHttpError(new BillingError(code, 'refused', { period: '2026-11' }));
      expect(mapped).toBeInstanceOf(PlafondError);
      expect(mapped).toMatchObject({
        code,
        message: 'refused',
        details: { period: '2026-11' },
        httpStatus: BILLING_ERROR_STATUS[code],
      });
    }
  });

  it('answers leftover ledger contention with 409 LEDGER.CONCURRENCY and passes others through', () => {
    const contention = Object.create(LedgerConcurrencyError.prototype) as LedgerConcurrencyError;
    expect(toHttpError(contention)).toMatchObject({ code: 'LEDGER.CONCURRENCY', httpStatus: 409 });
    const bug = new TypeError('boom');
    expect(toHttpError(bug)).toBe(bug);
    const already = new PlafondError('AUTH.FORBIDDEN', 'no', {}, 403);
    expect(toHttpError(already)).toBe(already);
  });

  it('documents every HTTP billing code with an example at its real status', () => {
    for (const code of Object.values(BILLING_ERROR)) {
      if (NOT_HTTP.has(code)) continue;
      expect({ code, example: ERROR_EXAMPLES[code] !== undefined }).toEqual({
        code,
        example: true,
      });
      expect(documentedStatusOf(code)).toBe(BILLING_ERROR_STATUS[code]);
    }
  });
});
