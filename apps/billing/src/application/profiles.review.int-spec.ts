// Review (R1): a unit id PostgreSQL cannot even compare (NUL, from `%00` in a path) is a unit
// nobody knows: 404 BILLING.UNIT_NOT_FOUND, not a database error surfacing as a 500.
import { createBillingTestKit, rejectionOf, type BillingTestKit } from './testing/billing-test-kit';

jest.setTimeout(60_000);

describe('BillingProfiles.get on unstorable unit ids (review)', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_profiles_review' });
  });
  afterAll(async () => kit?.close());

  it.each([['team\u0000a'], ['team\ud800a']])('answers UNIT_NOT_FOUND for %j', async (unitId) => {
    const error = await rejectionOf(kit.profiles.get(unitId));
    expect(error.code).toBe('BILLING.UNIT_NOT_FOUND');
  });
});
