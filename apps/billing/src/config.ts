import { EnvVar, PatternVar, ServiceConfig } from '@plafond/platform';

/** A general-ledger account code as finance systems spell them: `6980-AI-CARBON`, `4890`. */
const ACCOUNT_CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/** The billing service's settings; everything is validated at start (see docs/configuration.md). */
export class BillingConfig extends ServiceConfig {
  override port = 3003;
  override databaseSchema = 'billing';
  override kafkaClientId = 'plafond-billing';

  @EnvVar({
    name: 'BILLING_DEFAULT_CURRENCY',
    description:
      'ISO 4217 currency of units without a billing profile (theirs or an ancestor’s); ' +
      'usage is priced with the price schedule of that currency.',
    example: 'EUR',
  })
  @PatternVar(/^[A-Z]{3}$/, 'three capital letters (ISO 4217), e.g. EUR')
  defaultCurrency = 'EUR';

  @EnvVar({
    name: 'BILLING_EXPENSE_ACCOUNT',
    description:
      'General-ledger account debited (with the unit’s cost centre) for every charge; ' +
      'credited for a credit note.',
    example: '6980-AI-CARBON',
  })
  @PatternVar(ACCOUNT_CODE, 'an account code of 1-64 letters, digits or . _ : / -')
  expenseAccount = '6980-AI-CARBON';

  @EnvVar({
    name: 'BILLING_CARBON_FUND_ACCOUNT',
    description:
      'General-ledger account of the internal carbon fund: credited for every charge, ' +
      'debited for a credit note.',
    example: '4890-CARBON-FUND',
  })
  @PatternVar(ACCOUNT_CODE, 'an account code of 1-64 letters, digits or . _ : / -')
  carbonFundAccount = '4890-CARBON-FUND';
}
