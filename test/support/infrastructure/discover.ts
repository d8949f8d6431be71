import { startKafkaContainer, startPostgresContainer } from './containers';
import { dockerEngineAnswers } from './docker-probe';
import { localKafkaBrokers, startLocalKafka } from './local-kafka';
import { kafkaAnswers, probeKafka, probePostgres, redactUrl } from './probes';
import type { InfrastructureState } from './state';
import { DEFAULT_DATABASE_URL } from '../test-database';

function fromEnvironment(name: 'DATABASE_URL' | 'KAFKA_BROKERS'): string {
  return process.env[name]?.trim() ?? '';
}

async function startContainers(state: InfrastructureState): Promise<void> {
  const [postgres, kafka] = await Promise.all([
    state.databaseUrl === '' ? startPostgresContainer() : undefined,
    state.kafkaBrokers === '' ? startKafkaContainer() : undefined,
  ]);
  if (postgres !== undefined) {
    state.containers.push(postgres);
    state.databaseUrl = postgres.endpoint;
    state.databaseSource = 'testcontainers';
  }
  if (kafka !== undefined) {
    state.containers.push(kafka);
    state.kafkaBrokers = kafka.endpoint;
    state.kafkaSource = 'testcontainers';
  }
}

async function useLocal(state: InfrastructureState): Promise<void> {
  if (state.databaseUrl === '') {
    state.databaseUrl = DEFAULT_DATABASE_URL;
    state.databaseSource = 'local';
  }
  if (state.kafkaBrokers !== '') return;
  state.kafkaBrokers = localKafkaBrokers();
  state.kafkaSource = 'local';
  if ((await kafkaAnswers([state.kafkaBrokers])) === undefined) {
    state.startedLocalKafka = true;
    startLocalKafka();
  }
}

/** Probes both and returns one line naming what answered, for the run's log. */
async function verify(state: InfrastructureState): Promise<string> {
  const postgres = await probePostgres(state.databaseUrl).catch((error: Error) => {
    throw new Error(
      `PostgreSQL does not answer at ${redactUrl(state.databaseUrl)} (${state.databaseSource}): ${error.message}. ` +
        'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set DATABASE_URL.',
    );
  });
  const kafka = await probeKafka(state.kafkaBrokers.split(',')).catch((error: Error) => {
    throw new Error(
      `Kafka does not answer at ${state.kafkaBrokers} (${state.kafkaSource}): ${error.message}. ` +
        'Start it with `npm run kafka:start` or set KAFKA_BROKERS.',
    );
  });
  const kafkaOrigin =
    state.kafkaSource === 'local'
      ? `local, scripts/kafka.sh, ${state.startedLocalKafka ? 'started by this run' : 'already running'}`
      : state.kafkaSource;
  const brokers = `${kafka.brokerCount} broker${kafka.brokerCount === 1 ? '' : 's'}`;
  return (
    `PostgreSQL ${postgres.version} at ${redactUrl(state.databaseUrl)} (${state.databaseSource}); ` +
    `Kafka cluster ${kafka.clusterId} (${brokers}) at ${state.kafkaBrokers} (${kafkaOrigin})`
  );
}

/**
 * Finds PostgreSQL and Kafka, each in this order: DATABASE_URL / KAFKA_BROKERS from the
 * environment; containers when a Docker engine answers; else the local PostgreSQL and the local
 * launcher. Records everything it starts in `state` as it goes, so a failure can be cleaned up.
 */
export async function discoverInfrastructure(state: InfrastructureState): Promise<string> {
  state.databaseUrl = fromEnvironment('DATABASE_URL');
  state.kafkaBrokers = fromEnvironment('KAFKA_BROKERS');
  const missing = state.databaseUrl === '' || state.kafkaBrokers === '';
  if (missing && (await dockerEngineAnswers())) await startContainers(state);
  await useLocal(state);
  return verify(state);
}
