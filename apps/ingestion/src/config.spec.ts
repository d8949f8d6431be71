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

describe('IngestionConfig pipeline bounds', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/plafond',
    KAFKA_BROKERS: 'localhost:9092',
  };

  it('defaults to 30 days of lateness, 5 minutes of skew, a 35-day dedup window and 1000 items', () => {
    expect(loadConfig(IngestionConfig, required)).toMatchObject({
      ingestMaxLatenessMs: 2_592_000_000,
      ingestMaxFutureSkewMs: 300_000,
      ingestDedupWindowMs: 3_024_000_000,
      ingestMaxBatchItems: 1000,
    });
  });

  it('bounds the usage items in progress (INGEST_MAX_ITEMS_IN_FLIGHT, default 10 000)', () => {
    expect(loadConfig(IngestionConfig, required).ingestMaxItemsInFlight).toBe(10_000);
    expect(
      loadConfig(IngestionConfig, { ...required, INGEST_MAX_ITEMS_IN_FLIGHT: '100' })
        .ingestMaxItemsInFlight,
    ).toBe(100);
    expect(() =>
      loadConfig(IngestionConfig, { ...required, INGEST_MAX_ITEMS_IN_FLIGHT: '0' }),
    ).toThrow(/INGEST_MAX_ITEMS_IN_FLIGHT/);
  });

  it('reads the bounds from the environment and refuses a non-integer', () => {
    expect(
      loadConfig(IngestionConfig, {
        ...required,
        INGEST_MAX_LATENESS_MS: '3600000',
        INGEST_MAX_BATCH_ITEMS: '10',
      }),
    ).toMatchObject({ ingestMaxLatenessMs: 3_600_000, ingestMaxBatchItems: 10 });
    expect(() =>
      loadConfig(IngestionConfig, { ...required, INGEST_MAX_BATCH_ITEMS: '1.5' }),
    ).toThrow(/INGEST_MAX_BATCH_ITEMS/);
  });
});
