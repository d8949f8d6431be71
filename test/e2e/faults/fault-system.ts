// The distributed system for the fault suites: the three services as real processes on their own
// database and run-unique topics, started from the same pieces as test/e2e/system/harness.ts
// (test/e2e/system/distributed.ts), but with each process under the test's control — stopped
// (SIGTERM), killed (SIGKILL), restarted with other settings (PLAFOND_FAILPOINTS), waited for
// after a failpoint killed it, or doubled by a second instance on its own port (same
// KAFKA_CLIENT_ID, hence the same consumer groups).
import { generateApiKey } from '@plafond/platform';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  serverDatabaseUrl,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { Pool } from 'pg';
import {
  exitWithin,
  isAlive,
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
} from '../system/distributed';
import { SERVICE_SETTINGS, type ServiceUrls } from '../system/harness';

export type { Exit, ServiceName };
export { SERVICE_NAMES };

export interface FaultSystemOptions {
  /** Names the database, the topics and the consumer groups (unique per suite). */
  readonly label: string;
  /** A superuser URL of the PostgreSQL server to create the database on; default the run's. */
  readonly databaseAdminUrl?: string;
  /** Default `kafkaBrokers()`. */
  readonly brokers?: readonly string[];
  /** Extra environment of every process of a service, on top of the shared settings. */
  readonly env?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
}

export interface StartOptions {
  /** Extra environment of this process only (e.g. PLAFOND_FAILPOINTS). */
  readonly env?: NodeJS.ProcessEnv;
  /** 0 (default) is the service's usual process; 1, 2… are extra instances on their own ports. */
  readonly instance?: number;
  /** Wait for /health/ready (default true); a process that exits first fails the start. */
  readonly waitReady?: boolean;
}

export interface FaultSystem {
  /** The URLs of instance 0 of each service. */
  readonly urls: ServiceUrls;
  readonly adminKey: string;
  readonly databaseUrl: string;
  readonly topicPrefix: string;
  readonly brokers: readonly string[];
  url(service: ServiceName, instance?: number): string;
  start(service: ServiceName, options?: StartOptions): Promise<void>;
  /** SIGTERM, bounded; the exit (a clean stop is code 0). */
  stop(service: ServiceName, instance?: number): Promise<Exit>;
  /** SIGKILL; the exit. */
  kill(service: ServiceName, instance?: number): Promise<Exit>;
  /** The exit of the process, e.g. after a failpoint killed it; bounded (then killed and failed). */
  waitForExit(service: ServiceName, instance?: number, timeoutMs?: number): Promise<Exit>;
  /** SIGTERM if running, then a fresh start with `options.env` only (a failpoint is disarmed). */
  restart(service: ServiceName, options?: Omit<StartOptions, 'instance'>): Promise<void>;
  isRunning(service: ServiceName, instance?: number): boolean;
  /** stderr lines of the current (or last) process of that service instance. */
  stderr(service: ServiceName, instance?: number): readonly string[];
  /** SQL on the system's database (every service's schema), for checks. */
  sql<T extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Sends usage to the raw topic, as an integrator's producer does (structured CloudEvents). */
  sendRawUsage(events: readonly RawUsageEvent[]): Promise<void>;
  /** Everything every process wrote so far, killed ones included, labelled. */
  output(): string;
  /** Kills whatever runs, disconnects, drops the database. */
  dispose(): Promise<void>;
}

/** Above SHUTDOWN_TIMEOUT_MS (20 s), after which a service forces its own exit. */
const STOP_BOUND_MS = 30_000;
const EXIT_BOUND_MS = 120_000;

const key = (service: ServiceName, instance: number) => `${service}#${instance}`;

export async function startFaultSystem(options: FaultSystemOptions): Promise<FaultSystem> {
  const brokers = [...(options.brokers ?? kafkaBrokers())];
  const database: TestDatabase = await createTestDatabase(
    options.label,
    options.databaseAdminUrl ?? serverDatabaseUrl(),
  );
  const prefix = uniqueTopicPrefix(options.label);
  const storage = { databaseUrl: database.url, brokers, topicPrefix: prefix };
  const pool = new Pool({ connectionString: database.url, max: 2 });
  // A restarted PostgreSQL (infrastructure faults) ends idle clients: not the test's failure.
  pool.on('error', () => undefined);
  const current = new Map<string, RunningProcess>();
  const ports = new Map<string, number>();
  const history: { label: string; running: RunningProcess }[] = [];
  let producer: RawUsageProducer | undefined;

  const dispose = async () => {
    for (const running of current.values()) await killIfRunning(running);
    await producer?.disconnect().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await database.drop();
  };

  try {
    await migrateAndProvision(storage);
    const adminKey = generateApiKey().key;

    const portOf = async (service: ServiceName, instance: number) => {
      const known = ports.get(key(service, instance));
      if (known !== undefined) return known;
      const port = await freePort();
      ports.set(key(service, instance), port);
      return port;
    };
    const urlOf = (service: ServiceName, instance = 0) => {
      const port = ports.get(key(service, instance));
      if (port === undefined) throw new Error(`${key(service, instance)} was never started`);
      return `http://127.0.0.1:${port}`;
    };
    const processOf = (service: ServiceName, instance = 0) => {
      const running = current.get(key(service, instance));
      if (running === undefined) throw new Error(`${key(service, instance)} was never started`);
      return running;
    };

    const start = async (service: ServiceName, startOptions: StartOptions = {}) => {
      const instance = startOptions.instance ?? 0;
      const label = key(service, instance);
      const previous = current.get(label);
      if (previous !== undefined && isAlive(previous)) throw new Error(`${label} is running`);
      const port = await portOf(service, instance);
      const running = startProcess(serviceEntryPoint(service), {
        ...serviceEnvironment(service, storage, { port, adminKey }),
        ...SERVICE_SETTINGS,
        // The broker hands a killed consumer's partitions on after one session without heartbeat:
        // 6 s (the broker's smallest) instead of 30 s keeps every crash phase short.
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        ...options.env?.[service],
        ...startOptions.env,
      });
      current.set(label, running);
      history.push({ label, running });
      if (startOptions.waitReady ?? true)
        await waitUntilReady(urlOf(service, instance), running, label);
    };

    const stop = async (service: ServiceName, instance = 0) => {
      const running = processOf(service, instance);
      if (isAlive(running)) running.child.kill('SIGTERM');
      return exitWithin(running, STOP_BOUND_MS);
    };

    const kill = async (service: ServiceName, instance = 0) => {
      const running = processOf(service, instance);
      if (isAlive(running)) running.child.kill('SIGKILL');
      return running.exited;
    };

    await Promise.all(SERVICE_NAMES.map((service) => start(service)));

    const connected = await connectRawUsageProducer(storage);
    producer = connected;

    return {
      urls: {
        allocation: urlOf('allocation'),
        ingestion: urlOf('ingestion'),
        billing: urlOf('billing'),
      },
      adminKey,
      databaseUrl: database.url,
      topicPrefix: prefix,
      brokers,
      url: urlOf,
      start,
      stop,
      kill,
      waitForExit: (service, instance = 0, timeoutMs = EXIT_BOUND_MS) =>
        exitWithin(processOf(service, instance), timeoutMs),
      restart: async (service, restartOptions = {}) => {
        const running = current.get(key(service, 0));
        if (running !== undefined && isAlive(running)) await stop(service, 0);
        await start(service, { ...restartOptions, instance: 0 });
      },
      isRunning: (service, instance = 0) => {
        const running = current.get(key(service, instance));
        return running !== undefined && isAlive(running);
      },
      stderr: (service, instance = 0) => processOf(service, instance).stderr,
      sql: async <T extends Record<string, unknown>>(
        text: string,
        params: readonly unknown[] = [],
      ) => (await pool.query<T>(text, [...params])).rows,
      sendRawUsage: connected.send,
      output: () =>
        history
          .map(({ label, running }) =>
            [...running.stdout, ...running.stderr].map((line) => `[${label}] ${line}`).join('\n'),
          )
          .join('\n'),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
