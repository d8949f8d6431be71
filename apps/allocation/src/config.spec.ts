import { describeConfig, loadConfig } from '@plafond/platform';
import { AllocationConfig } from './config';

describe('AllocationConfig', () => {
  const required = {
    DATABASE_URL: 'postgres://localhost/plafond',
    KAFKA_BROKERS: 'localhost:9092',
  };

  it('defaults to its own port, schema and Kafka client id', () => {
    expect(loadConfig(AllocationConfig, required)).toMatchObject({
      port: 3001,
      databaseSchema: 'allocation',
      kafkaClientId: 'plafond-allocation',
    });
  });

  it('bounds the reservation queue (RESERVATION_MAX_QUEUED, default 10 000)', () => {
    expect(loadConfig(AllocationConfig, required).reservationMaxQueued).toBe(10_000);
    expect(
      loadConfig(AllocationConfig, { ...required, RESERVATION_MAX_QUEUED: '50' })
        .reservationMaxQueued,
    ).toBe(50);
    expect(() =>
      loadConfig(AllocationConfig, { ...required, RESERVATION_MAX_QUEUED: '0' }),
    ).toThrow(/RESERVATION_MAX_QUEUED/);
  });

  it('flushes refused-reservation counts every RESERVATION_REFUSALS_FLUSH_MS (default 1000)', () => {
    expect(loadConfig(AllocationConfig, required).reservationRefusalsFlushMs).toBe(1_000);
    expect(
      loadConfig(AllocationConfig, { ...required, RESERVATION_REFUSALS_FLUSH_MS: '250' })
        .reservationRefusalsFlushMs,
    ).toBe(250);
    expect(() =>
      loadConfig(AllocationConfig, { ...required, RESERVATION_REFUSALS_FLUSH_MS: '10' }),
    ).toThrow(/RESERVATION_REFUSALS_FLUSH_MS/);
  });

  it('requires only the database URL and the Kafka brokers', () => {
    const names = describeConfig(AllocationConfig)
      .filter((variable) => variable.required)
      .map((variable) => variable.name);
    expect(names).toEqual(['DATABASE_URL', 'KAFKA_BROKERS']);
  });
});
