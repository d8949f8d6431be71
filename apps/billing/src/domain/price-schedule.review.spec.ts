// Review (R1): a schedule's reason goes into the PriceSchedulePublished event (jsonb). A NUL or
// an unpaired surrogate there made the ledger / PostgreSQL refuse the append: a 500 instead of
// BILLING.INVALID_SCHEDULE with its issue.
import { parsePriceScheduleInput } from './price-schedule';

const base = {
  currency: 'EUR',
  effectiveFrom: '2026-01-01T00:00:00Z',
  carbonPricePerTonne: '85',
};

describe('parsePriceScheduleInput reason (review)', () => {
  it.each([['a\u0000b'], ['a\ud800b'], ['a\u0007b']])('refuses the reason %j', (reason) => {
    const result = parsePriceScheduleInput({ ...base, reason });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues).toEqual([
        expect.objectContaining({ path: 'reason', code: 'SCHEDULE.INVALID_TEXT' }),
      ]);
  });

  it('keeps a multi-line reason', () => {
    const result = parsePriceScheduleInput({ ...base, reason: 'FY27 price\napproved by the CFO' });
    expect(result.ok && result.value.reason).toBe('FY27 price\napproved by the CFO');
  });
});
