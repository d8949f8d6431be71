// What every distributed start of the built services shares — the system harness (scenario, load
// and bad-input suites), the fault suites' controllable system and the system bench: the database
// migrated and the run-unique topics provisioned by the built scripts, a service process's
// environment, the wait for a process to answer ready, and an integrator's producer on the raw
// usage topic. Each caller keeps its own settings (log level, lateness, session timeout…) on top.
import { TOPICS, topicName } from '@plafond/contracts';
import { waitFor } from '@plafond/testing';
import { Kafka, logLevel } from 'kafkajs';
import {
  baseEnvironment,
  builtFile,
  isAlive,
  runToCompletion,
  type RunningProcess,
  type ServiceName,
} from '../processes';

/** Where a distributed system keeps its state: its database and its topics on a broker. */
export interface SystemStorage {
  readonly databaseUrl: string;
  readonly brokers: readonly string[];
  /** Run-unique (uniqueTopicPrefix): names the topics and, through the client ids, the groups. */
  readonly topicPrefix: string;
}

/** A usage event as an integrator's Kafka producer sends it: a structured CloudEvent. */
export interface RawUsageEvent {
  readonly id: string;
  readonly source: string;
  readonly data: Record<string, unknown> & { unitId: string };
}

export interface RawUsageProducer {
  send(events: readonly RawUsageEvent[]): Promise<void>;
  disconnect(): Promise<void>;
}

const SCRIPT_BOUND_MS = 60_000;
const READY_BOUND_MS = 120_000;

/** dist/scripts/migrate.js then dist/scripts/provision-topics.js, as an operator runs them. */
export async function migrateAndProvision(
  storage: SystemStorage,
  timeoutMs = SCRIPT_BOUND_MS,
): Promise<void> {
  const migrate = await runToCompletion(
    builtFile('dist/scripts/migrate.js'),
    { ...baseEnvironment(), DATABASE_URL: storage.databaseUrl },
    timeoutMs,
  );
  if (migrate.code !== 0) throw new Error(`migrate failed:\n${migrate.stderr.join('\n')}`);
  const topics = await runToCompletion(
    builtFile('dist/scripts/provision-topics.js'),
    {
      ...baseEnvironment(),
      KAFKA_BROKERS: storage.brokers.join(','),
      KAFKA_TOPIC_PREFIX: storage.topicPrefix,
    },
    timeoutMs,
  );
  if (topics.code !== 0) throw new Error(`provision-topics failed:\n${topics.stderr.join('\n')}`);
}

/** The environment a service process needs to join the system on `port`; settings go on top. */
export function serviceEnvironment(
  service: ServiceName,
  storage: SystemStorage,
  { port, adminKey }: { readonly port: number; readonly adminKey: string },
): NodeJS.ProcessEnv {
  return {
    ...baseEnvironment(),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: storage.databaseUrl,
    KAFKA_BROKERS: storage.brokers.join(','),
    KAFKA_TOPIC_PREFIX: storage.topicPrefix,
    // Consumer groups are named after the client id: run-unique like the topics, and shared by
    // every instance of a service (a second instance joins the same groups).
    KAFKA_CLIENT_ID: `${storage.topicPrefix}${service}`,
    ADMIN_API_KEY: adminKey,
  };
}

/**
 * Polls `url + path` until it answers 200; a process that exits first fails at once with the end
 * of its output (it will not recover), a bounded wait with what it waited for.
 */
export async function waitUntilReady(
  url: string,
  running: RunningProcess,
  label: string,
  path = '/health/ready',
): Promise<void> {
  const outcome = await waitFor(
    async () => {
      // Returned, not thrown: waitFor retries on a throw.
      if (!isAlive(running)) return { exited: true };
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(3000) });
      return response.status === 200 ? { exited: false } : undefined;
    },
    { timeoutMs: READY_BOUND_MS, intervalMs: 200, description: `${label} ${path} 200` },
  );
  if (outcome.exited) {
    const tail = [...running.stdout, ...running.stderr].slice(-40).join('\n');
    throw new Error(`${label} exited before it was ready:\n${tail}`);
  }
}

/**
 * A connected producer on the raw usage topic, sending as docs/integrator-guide.md ("Kafka")
 * tells integrators to: structured CloudEvents, keyed by unit, acks from every in-sync replica.
 */
export async function connectRawUsageProducer(
  storage: Pick<SystemStorage, 'brokers' | 'topicPrefix'>,
): Promise<RawUsageProducer> {
  const producer = new Kafka({
    clientId: `${storage.topicPrefix}integrator`,
    brokers: [...storage.brokers],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const topic = topicName(TOPICS.usageRaw, storage.topicPrefix);
  return {
    send: async (events) => {
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((event) => ({
          key: event.data.unitId,
          headers: { 'content-type': 'application/cloudevents+json' },
          value: JSON.stringify({
            specversion: '1.0',
            id: event.id,
            source: event.source,
            type: 'org.plafond.usage.reported.v1',
            datacontenttype: 'application/json',
            data: event.data,
          }),
        })),
      });
    },
    disconnect: () => producer.disconnect(),
  };
}
