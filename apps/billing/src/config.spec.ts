import { describeConfig, loadConfig } from '@plafond/platform';
import { BillingConfig } from './config';

describe('BillingConfig', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/plafond',
    KAFKA_BROKERS: 'localhost:9092',
  };

  it('defaults to its own port, schema and Kafka client id', () => {
    expect(loadConfig(BillingConfig, required)).toMatchObject({
      port: 3003,
      databaseSchema: 'billing',
      kafkaClientId: 'plafond-billing',
    });
  });

  it('requires only the database URL and the Kafka brokers', () => {
    const names = describeConfig(BillingConfig)
      .filter((variable) => variable.required)
      .map((variable) => variable.name);
    expect(names).toEqual(['DATABASE_URL', 'KAFKA_BROKERS']);
  });
});

describe('BillingConfig accounts and currency', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/plafond',
    KAFKA_BROKERS: 'localhost:9092',
  };

  it('defaults to EUR and the documented general-ledger accounts', () => {
    expect(loadConfig(BillingConfig, required)).toMatchObject({
      defaultCurrency: 'EUR',
      expenseAccount: '6980-AI-CARBON',
      carbonFundAccount: '4890-CARBON-FUND',
    });
  });

  it('refuses a currency that is not an ISO 4217 code and an account with spaces', () => {
    expect(() =>
      loadConfig(BillingConfig, { ...required, BILLING_DEFAULT_CURRENCY: 'eur' }),
    ).toThrow(/BILLING_DEFAULT_CURRENCY/);
    expect(() =>
      loadConfig(BillingConfig, { ...required, BILLING_EXPENSE_ACCOUNT: '6980 AI' }),
    ).toThrow(/BILLING_EXPENSE_ACCOUNT/);
  });
});
