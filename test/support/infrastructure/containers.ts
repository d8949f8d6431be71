import type { StartedTestContainer } from 'testcontainers';

// Confluent's image because @testcontainers/kafka drives Confluent's start script;
// Confluent Platform 8.1 ships Apache Kafka 4.1, the line scripts/kafka.sh runs.
const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.1.0';
const POSTGRES_IMAGE = 'postgres:17-alpine';
const KAFKA_CLIENT_PORT = 9093;

export interface StartedContainer {
  readonly endpoint: string;
  readonly container: StartedTestContainer;
}

// Loaded lazily: testcontainers is heavy and most runs here never need it.
export async function startPostgresContainer(): Promise<StartedContainer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withDatabase('postgres').start();
  return { endpoint: container.getConnectionUri(), container };
}

export async function startKafkaContainer(): Promise<StartedContainer> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE)
    .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
    .start();
  return {
    endpoint: `${container.getHost()}:${container.getMappedPort(KAFKA_CLIENT_PORT)}`,
    container,
  };
}
