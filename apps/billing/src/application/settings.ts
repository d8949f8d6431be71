// Billing's settings: defaults here; the composition root maps BILLING_DEFAULT_CURRENCY,
// BILLING_EXPENSE_ACCOUNT, BILLING_CARBON_FUND_ACCOUNT and the service schema onto them.
export const BILLING_SETTINGS = Symbol('plafond.billing.SETTINGS');

export interface BillingSettings {
  /** Currency of units without a billing profile in their chain of ancestors (ISO 4217). */
  readonly defaultCurrency: string;
  /** General-ledger account debited (with the unit's cost centre) for a charge. */
  readonly expenseAccount: string;
  /** The internal carbon fund, credited for a charge. */
  readonly carbonFundAccount: string;
  /** Schema of the read model (`billing-books`) and the directory tables: the service schema. */
  readonly readModelSchema: string;
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  defaultCurrency: 'EUR',
  expenseAccount: '6980-AI-CARBON',
  carbonFundAccount: '4890-CARBON-FUND',
  readModelSchema: 'billing',
};

const CURRENCY = /^[A-Z]{3}$/;
const ACCOUNT = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Defaults completed and checked: a bad value stops the service at start. */
export function billingSettings(partial: Partial<BillingSettings> = {}): BillingSettings {
  const defined = Object.fromEntries(
    Object.entries(partial).filter(([, value]) => value !== undefined),
  ) as Partial<BillingSettings>;
  const settings: BillingSettings = { ...DEFAULT_BILLING_SETTINGS, ...defined };
  if (!CURRENCY.test(settings.defaultCurrency))
    throw new RangeError(
      `billing setting defaultCurrency must be an ISO 4217 code (3 capitals), got ${JSON.stringify(settings.defaultCurrency)}`,
    );
  for (const name of ['expenseAccount', 'carbonFundAccount'] as const)
    if (!ACCOUNT.test(settings[name]))
      throw new RangeError(
        `billing setting ${name} must be 1..64 printable ASCII characters without surrounding spaces, got ${JSON.stringify(settings[name])}`,
      );
  if (settings.expenseAccount === settings.carbonFundAccount)
    throw new RangeError('billing settings expenseAccount and carbonFundAccount must differ');
  if (!SCHEMA.test(settings.readModelSchema))
    throw new RangeError(
      `billing setting readModelSchema must be a lower-case schema name, got ${JSON.stringify(settings.readModelSchema)}`,
    );
  return settings;
}
