import { BillingApplicationModule } from './application.module';
import { billingSettings, DEFAULT_BILLING_SETTINGS } from './settings';
import { billingEventId, eventIds, profileStreamId, usageStreamId } from './streams';

describe('billingSettings', () => {
  it('defaults to EUR and the documented accounts', () => {
    expect(billingSettings()).toEqual({
      defaultCurrency: 'EUR',
      expenseAccount: '6980-AI-CARBON',
      carbonFundAccount: '4890-CARBON-FUND',
      readModelSchema: 'billing',
    });
    expect(billingSettings({ defaultCurrency: undefined })).toEqual(DEFAULT_BILLING_SETTINGS);
  });

  it('refuses values that would break the books', () => {
    expect(() => billingSettings({ defaultCurrency: 'eur' })).toThrow(/defaultCurrency/);
    expect(() => billingSettings({ expenseAccount: '' })).toThrow(/expenseAccount/);
    expect(() => billingSettings({ carbonFundAccount: ' 4890' })).toThrow(/carbonFundAccount/);
    expect(() => billingSettings({ carbonFundAccount: '6980-AI-CARBON' })).toThrow(/differ/);
    expect(() => billingSettings({ readModelSchema: 'Billing' })).toThrow(/readModelSchema/);
    expect(() => BillingApplicationModule.forRoot({ defaultCurrency: 'EURO' })).toThrow();
  });
});

describe('stream and event ids', () => {
  it('are deterministic, bounded and distinct per purpose', () => {
    expect(usageStreamId('urn:a#1')).toBe(usageStreamId('urn:a#1'));
    expect(usageStreamId('urn:a#1')).toMatch(/^usage-[0-9a-f]{40}$/);
    expect(profileStreamId('x'.repeat(500))).toMatch(/^billing-profile-[0-9a-f]{40}$/);
    expect(eventIds.charged('u')).toMatch(/^bill-[0-9a-f]{40}$/);
    expect(eventIds.charged('u')).not.toBe(eventIds.surcharge('u', ''));
    expect(billingEventId('a', 'bc')).not.toBe(billingEventId('a', 'b', 'c'));
  });
});
