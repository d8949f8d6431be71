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
