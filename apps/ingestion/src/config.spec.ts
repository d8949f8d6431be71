import { describeConfig, loadConfig } from '@plafond/platform';
import { IngestionConfig } from './config';

describe('IngestionConfig', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/plafond',
    KAFKA_BROKERS: 'localhost:9092',
  };

  it('defaults to its own port, schema and Kafka client id', () => {
    expect(loadConfig(IngestionConfig, required)).toMatchObject({
      port: 3002,
      databaseSchema: 'ingestion',
      kafkaClientId: 'plafond-ingestion',
    });
  });

  it('requires only the database URL and the Kafka brokers', () => {
    const names = describeConfig(IngestionConfig)
      .filter((variable) => variable.required)
      .map((variable) => variable.name);
    expect(names).toEqual(['DATABASE_URL', 'KAFKA_BROKERS']);
  });
});
