// The whole system as users run it, started as real processes for the system scenario:
//   distributed — a fresh PostgreSQL database migrated by dist/scripts/migrate.js, run-unique
//                 Kafka topics provisioned by dist/scripts/provision-topics.js, then the three
//                 services as three processes (dist/apps/<service>/src/main.js);
//   embedded    — `npm start`'s default: dist/scripts/start.js with neither DATABASE_URL nor
//                 KAFKA_BROKERS, one process on PGlite in a temporary data directory.
// Both answer on three free ports with the same admin key; the scenario only speaks HTTP (and,
// distributed, Kafka's raw usage topic as an integrator's producer would).
import { TOPICS, topicName } from '@plafond/contracts';
import { generateApiKey } from '@plafond/platform';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
} from '@plafond/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseEnvironment,
  builtFile,
  exitWithin,
  killIfRunning,
  runToCompletion,
  SERVICE_NAMES,
  serviceEntryPoint,
  startProcess,
  type Exit,
  type RunningProcess,
  type ServiceName,
} from '../processes';

export type SystemMode = 'distributed' | 'embedded';
export type ServiceUrls = Record<ServiceName, string>;

/** A usage event as an integrator's Kafka producer sends it: a structured CloudEvent. */
export interface RawUsageEvent {
  readonly id: string;
  readonly source: string;
  readonly data: Record<string, unknown> & { unitId: string };
}

export interface RunningSystem {
  readonly mode: SystemMode;
  readonly urls: ServiceUrls;
  readonly adminKey: string;
  /** Sends usage to the raw topic; undefined in embedded mode, which has no broker. */
  readonly sendRawUsage: ((events: readonly RawUsageEvent[]) => Promise<void>) | undefined;
  /** Everything the processes wrote so far (stdout and stderr). */
  output(): string;
  /** Distributed: each service's process id and the system's database (for load checks). */
  readonly pids?: Readonly<Record<ServiceName, number | undefined>>;
  readonly databaseUrl?: string;
  /** SIGTERM to every process; their exits, by process label. */
  stop(): Promise<Record<string, Exit>>;
  /** Kills whatever is still running and removes the database or data directory. */
  dispose(): Promise<void>;
}

/** Service settings both modes get: usage of the previous month must still be accepted. */
const DAY_MS = 86_400_000;
export const SERVICE_SETTINGS = {
  // The scenario posts usage of the previous calendar month (at most 62 days back) and closes it;
  // the dedup window must cover lateness + skew (checked at start).
  INGEST_MAX_LATENESS_MS: String(70 * DAY_MS),
  INGEST_DEDUP_WINDOW_MS: String(75 * DAY_MS),
  LOG_LEVEL: 'info',
  SHUTDOWN_TIMEOUT_MS: '20000',
} as const;

const READY_BOUND_MS = 120_000;
/** Above SHUTDOWN_TIMEOUT_MS (20 s), after which a service forces its own exit with code 1. */
const STOP_BOUND_MS = 30_000;

const outputOf = (running: RunningProcess) => [...running.stdout, ...running.stderr].join('\n');
const tailOf = (running: RunningProcess) =>
  [...running.stdout, ...running.stderr].slice(-40).join('\n');

async function freeUrls(): Promise<{ ports: Record<ServiceName, number>; urls: ServiceUrls }> {
  const ports = {
    allocation: await freePort(),
    ingestion: await freePort(),
    billing: await freePort(),
  };
  const urls = {
    allocation: `http://127.0.0.1:${ports.allocation}`,
    ingestion: `http://127.0.0.1:${ports.ingestion}`,
    billing: `http://127.0.0.1:${ports.billing}`,
  };
  return { ports, urls };
}

/** Every service's /health/ready answers 200; a process that exits first fails with its output. */
async function waitUntilReady(urls: ServiceUrls, processes: readonly RunningProcess[]) {
  for (const service of SERVICE_NAMES) {
    const outcome = await waitFor(
      async () => {
        const dead = processes.find(
          (running) => running.child.exitCode !== null || running.child.signalCode !== null,
        );
        // Returned, not thrown: waitFor retries on a throw, and a dead process will not recover.
        if (dead !== undefined) return { exited: tailOf(dead) };
        const response = await fetch(`${urls[service]}/health/ready`, {
          signal: AbortSignal.timeout(3000),
        });
        return response.status === 200 ? { ready: true } : undefined;
      },
      { timeoutMs: READY_BOUND_MS, intervalMs: 250, description: `${service} /health/ready 200` },
    );
    if ('exited' in outcome)
      throw new Error(`a process exited before ${service} was ready:\n${outcome.exited}`);
  }
}

async function stopAll(
  processes: Partial<Record<string, RunningProcess>>,
): Promise<Record<string, Exit>> {
  const started = Object.entries(processes).filter(
    (entry): entry is [string, RunningProcess] => entry[1] !== undefined,
  );
  for (const [, running] of started) running.child.kill('SIGTERM');
  const exits: Record<string, Exit> = {};
  for (const [label, running] of started) exits[label] = await exitWithin(running, STOP_BOUND_MS);
  return exits;
}

/** `env`: extra variables per service (e.g. small admission bounds), over SERVICE_SETTINGS. */
export async function startDistributed(
  label: string,
  env: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = {},
): Promise<RunningSystem> {
  const database: TestDatabase = await createTestDatabase(label);
  const processes: Partial<Record<ServiceName, RunningProcess>> = {};
  let producer: Producer | undefined;
  const dispose = async () => {
    for (const running of Object.values(processes)) await killIfRunning(running);
    await producer?.disconnect().catch(() => undefined);
    await database.drop();
  };
  try {
    const brokers = kafkaBrokers().join(',');
    const prefix = uniqueTopicPrefix(label);
    const migrate = await runToCompletion(
      builtFile('dist/scripts/migrate.js'),
      { ...baseEnvironment(), DATABASE_URL: database.url },
      60_000,
    );
    if (migrate.code !== 0) throw new Error(`migrate failed:\n${migrate.stderr.join('\n')}`);
    const topics = await runToCompletion(
      builtFile('dist/scripts/provision-topics.js'),
      { ...baseEnvironment(), KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix },
      60_000,
    );
    if (topics.code !== 0) throw new Error(`provision-topics failed:\n${topics.stderr.join('\n')}`);

    const adminKey = generateApiKey().key;
    const { ports, urls } = await freeUrls();
    for (const service of SERVICE_NAMES) {
      processes[service] = startProcess(serviceEntryPoint(service), {
        ...baseEnvironment(),
        ...SERVICE_SETTINGS,
        PORT: String(ports[service]),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        // Consumer groups are named after the client id: run-unique, like the topics.
        KAFKA_CLIENT_ID: `${prefix}${service}`,
        ADMIN_API_KEY: adminKey,
        ...env[service],
      });
    }
    const running = Object.values(processes);
    await waitUntilReady(urls, running);

    const kafka = new Kafka({
      clientId: `${prefix}integrator`,
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
    const connected = kafka.producer();
    await connected.connect();
    producer = connected;
    const rawTopic = topicName(TOPICS.usageRaw, prefix);
    return {
      mode: 'distributed',
      urls,
      adminKey,
      // Structured mode, keyed by unit (docs/integrator-guide.md, "Kafka").
      sendRawUsage: async (events) => {
        await connected.send({
          topic: rawTopic,
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
      output: () => running.map(outputOf).join('\n'),
      pids: {
        allocation: processes.allocation?.child.pid,
        ingestion: processes.ingestion?.child.pid,
        billing: processes.billing?.child.pid,
      },
      databaseUrl: database.url,
      stop: async () => {
        await connected.disconnect();
        producer = undefined;
        return stopAll(processes);
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

export async function startEmbedded(label: string): Promise<RunningSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), `plafond-${label}-`));
  let host: RunningProcess | undefined;
  const dispose = async () => {
    await killIfRunning(host);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const adminKey = generateApiKey().key;
    const { ports, urls } = await freeUrls();
    // baseEnvironment() carries neither DATABASE_URL nor KAFKA_BROKERS: the embedded default.
    const env = {
      ...baseEnvironment(),
      ...SERVICE_SETTINGS,
      PLAFOND_DATA_DIR: dataDir,
      PLAFOND_DEMO: 'false',
      ALLOCATION_PORT: String(ports.allocation),
      INGESTION_PORT: String(ports.ingestion),
      BILLING_PORT: String(ports.billing),
      ADMIN_API_KEY: adminKey,
    };
    const started = startProcess(builtFile('dist/scripts/start.js'), env);
    host = started;
    await waitUntilReady(urls, [started]);
    return {
      mode: 'embedded',
      urls,
      adminKey,
      sendRawUsage: undefined,
      output: () => outputOf(started),
      stop: () => stopAll({ host: started }),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
