// Review (R1): a unit id with control characters (NUL from `%00` in a path) must be a 400
// BILLING.INVALID_PROFILE, not a ledger / PostgreSQL failure surfacing as a 500.
import { BillingError } from '../domain/errors';
import { parseProfileInput } from './profiles.service';

describe('parseProfileInput unit id (review)', () => {
  it.each([['team\u0000a'], ['team\na'], ['team\u007fa'], ['team\ud800a']])(
    'refuses the unit id %j',
    (unitId) => {
      let caught: unknown;
      try {
        parseProfileInput(unitId, { currency: 'EUR', costCentre: 'CC-1' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BillingError);
      expect((caught as BillingError).code).toBe('BILLING.INVALID_PROFILE');
      expect((caught as BillingError).details).toMatchObject({
        issues: [expect.objectContaining({ path: 'unitId', code: 'PROFILE.INVALID_UNIT' })],
      });
    },
  );

  it('accepts an ordinary unit id', () => {
    expect(parseProfileInput('team-a', { currency: 'EUR', costCentre: 'CC-1' })).toEqual({
      unitId: 'team-a',
      currency: 'EUR',
      costCentre: 'CC-1',
    });
  });
});
