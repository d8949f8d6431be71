// The whole system as users run it, started as real processes for the system scenario:
//   distributed — a fresh PostgreSQL database migrated by dist/scripts/migrate.js, run-unique
//                 Kafka topics provisioned by dist/scripts/provision-topics.js, then the three
//                 services as three processes (dist/apps/<service>/src/main.js);
//   embedded    — `npm start`'s default: dist/scripts/start.js with neither DATABASE_URL nor
//                 KAFKA_BROKERS, one process on PGlite in a temporary data directory.
// Both answer on three free ports with the same admin key; the scenario only speaks HTTP (and,
// distributed, Kafka's raw usage topic as an integrator's producer would). The distributed start's
// pieces (scripts, service environment, ready-wait, raw producer) live in ./distributed.ts, which
// the fault suites and the system bench start their services with too.
import { generateApiKey } from '@plafond/platform';
import {
  createTestDatabase,
  freePorts,
  kafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseEnvironment,
  builtFile,
  exitWithin,
  killIfRunning,
  SERVICE_NAMES,
  serviceEntryPoint,
  startProcess,
  type Exit,
  type RunningProcess,
  type ServiceName,
} from '../processes';
import {
  connectRawUsageProducer,
  migrateAndProvision,
  serviceEnvironment,
  waitUntilReady,
  type RawUsageEvent,
  type RawUsageProducer,
} from './distributed';

export type { RawUsageEvent };
export type SystemMode = 'distributed' | 'embedded';
export type ServiceUrls = Record<ServiceName, string>;

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

/** Above SHUTDOWN_TIMEOUT_MS (20 s), after which a service forces its own exit with code 1. */
const STOP_BOUND_MS = 30_000;

const outputOf = (running: RunningProcess) => [...running.stdout, ...running.stderr].join('\n');

/** The services' ports and URLs, and a fourth distinct port for the console. */
async function freeUrls(): Promise<{
  ports: Record<ServiceName, number>;
  urls: ServiceUrls;
  consolePort: number;
}> {
  const [allocation = 0, ingestion = 0, billing = 0, consolePort = 0] = await freePorts(4);
  const ports = { allocation, ingestion, billing };
  const urls = {
    allocation: `http://127.0.0.1:${ports.allocation}`,
    ingestion: `http://127.0.0.1:${ports.ingestion}`,
    billing: `http://127.0.0.1:${ports.billing}`,
  };
  return { ports, urls, consolePort };
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
  let producer: RawUsageProducer | undefined;
  const dispose = async () => {
    for (const running of Object.values(processes)) await killIfRunning(running);
    await producer?.disconnect().catch(() => undefined);
    await database.drop();
  };
  try {
    const storage = {
      databaseUrl: database.url,
      brokers: kafkaBrokers(),
      topicPrefix: uniqueTopicPrefix(label),
    };
    await migrateAndProvision(storage);

    const adminKey = generateApiKey().key;
    const { ports, urls } = await freeUrls();
    const started = SERVICE_NAMES.map((service) => {
      const running = startProcess(serviceEntryPoint(service), {
        ...serviceEnvironment(service, storage, { port: ports[service], adminKey }),
        ...SERVICE_SETTINGS,
        ...env[service],
      });
      processes[service] = running;
      return { service, running };
    });
    for (const { service, running } of started)
      await waitUntilReady(urls[service], running, service);

    const connected = await connectRawUsageProducer(storage);
    producer = connected;
    return {
      mode: 'distributed',
      urls,
      adminKey,
      sendRawUsage: connected.send,
      output: () => started.map(({ running }) => outputOf(running)).join('\n'),
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
    const { ports, urls, consolePort } = await freeUrls();
    // baseEnvironment() carries neither DATABASE_URL nor KAFKA_BROKERS: the embedded default.
    const env = {
      ...baseEnvironment(),
      ...SERVICE_SETTINGS,
      PLAFOND_DATA_DIR: dataDir,
      PLAFOND_DEMO: 'false',
      ALLOCATION_PORT: String(ports.allocation),
      INGESTION_PORT: String(ports.ingestion),
      BILLING_PORT: String(ports.billing),
      // The web console too (its own free port: the default 3000 may be taken by another run).
      CONSOLE_PORT: String(consolePort),
      ADMIN_API_KEY: adminKey,
    };
    const started = startProcess(builtFile('dist/scripts/start.js'), env);
    host = started;
    // One process answers on the three ports.
    for (const service of SERVICE_NAMES)
      await waitUntilReady(urls[service], started, `embedded host (${service})`);
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
