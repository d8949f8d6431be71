// `npm start`: the whole system on this machine, in the foreground.
//   1. Kafka: KAFKA_BROKERS if set; otherwise a local broker (`scripts/kafka.sh start`,
//      127.0.0.1:9092), stopped again on exit if this script started it.
//   2. PostgreSQL: DATABASE_URL if set; otherwise postgres://postgres@127.0.0.1:5432/plafond,
//      creating the database when missing.
//   3. Migrations (as `npm run migrate`) and topic provisioning (as the kafka-init job).
//   4. The three services as child processes, output prefixed with their name, each awaited on
//      /health/ready. Ctrl-C (or SIGTERM) stops them gracefully and exits when they have.
import { TOPIC_CATALOG } from '@plafond/contracts';
import {
  formatLogLineForHumans,
  formatProvisionReport,
  JsonLogger,
  provisionTopics,
} from '@plafond/platform';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { AllocationConfig } from '../apps/allocation/src/config';
import { BillingConfig } from '../apps/billing/src/config';
import { IngestionConfig } from '../apps/ingestion/src/config';
import { migrateAll } from './migrate';

const root = resolve(__dirname, '..', '..');
const LOCAL_BROKERS = '127.0.0.1:9092';
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/plafond';
const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 500;
/** Beyond the services' own SHUTDOWN_TIMEOUT_MS, after which they are killed. */
const STOP_TIMEOUT_MS = 30_000;

const SERVICES = [
  { name: 'allocation', port: new AllocationConfig().port },
  { name: 'ingestion', port: new IngestionConfig().port },
  { name: 'billing', port: new BillingConfig().port },
] as const;

interface Running {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited; `exit` is set just before. */
  readonly exited: Promise<void>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

const say = (text: string): void => void process.stdout.write(`[plafond] ${text}\n`);

function runKafkaScript(command: 'start' | 'stop' | 'status'): boolean {
  const result = spawnSync('bash', [join(root, 'scripts', 'kafka.sh'), command], {
    stdio: command === 'status' ? 'ignore' : 'inherit',
    cwd: root,
  });
  return result.status === 0;
}

/** Returns the brokers to use and whether this script started the broker. */
function ensureKafka(): { brokers: string; startedHere: boolean } {
  const configured = process.env.KAFKA_BROKERS;
  if (configured !== undefined && configured !== '') {
    say(`Kafka: ${configured} (KAFKA_BROKERS)`);
    return { brokers: configured, startedHere: false };
  }
  if (runKafkaScript('status')) {
    say(`Kafka: a local broker already answers on ${LOCAL_BROKERS}`);
    return { brokers: LOCAL_BROKERS, startedHere: false };
  }
  say('Kafka: KAFKA_BROKERS is unset, starting a local broker (scripts/kafka.sh start)');
  if (!runKafkaScript('start')) throw new Error('could not start the local Kafka broker');
  return { brokers: LOCAL_BROKERS, startedHere: true };
}

async function ensureDatabase(): Promise<string> {
  const configured = process.env.DATABASE_URL;
  if (configured !== undefined && configured !== '') {
    say('PostgreSQL: DATABASE_URL');
    return configured;
  }
  const target = new URL(LOCAL_DATABASE_URL);
  const database = target.pathname.slice(1);
  const server = new URL(LOCAL_DATABASE_URL);
  server.pathname = '/postgres';
  const client = new Client({ connectionString: server.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database}"`);
      say(`PostgreSQL: created database ${database} on ${target.host}`);
    }
  } finally {
    await client.end();
  }
  say(`PostgreSQL: ${LOCAL_DATABASE_URL} (DATABASE_URL is unset)`);
  return LOCAL_DATABASE_URL;
}

function pipeWithPrefix(stream: NodeJS.ReadableStream | null, prefix: string, pretty: boolean) {
  if (stream === null) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    process.stdout.write(`${prefix} ${pretty ? formatLogLineForHumans(line) : line}\n`);
  });
}

function spawnService(name: string, port: number, env: NodeJS.ProcessEnv): Running {
  const entry = join(root, 'dist', 'apps', name, 'src', 'main.js');
  // Own process group: a terminal's Ctrl-C reaches this script only, which forwards it once.
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${name}]`.padEnd(13);
  const pretty = process.stdout.isTTY === true;
  pipeWithPrefix(child.stdout, prefix, pretty);
  pipeWithPrefix(child.stderr, prefix, pretty);
  const service: { -readonly [K in keyof Running]: Running[K] } = {
    name,
    port,
    child,
    exited: new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        service.exit = { code, signal };
        done();
      });
    }),
  };
  return service;
}

async function waitUntilReady(service: Running, host: string): Promise<void> {
  const url = `http://${host}:${service.port}/health/ready`;
  const attempts = Math.ceil(READY_TIMEOUT_MS / READY_POLL_MS);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (service.exit !== undefined) {
      throw new Error(`${service.name} exited during start (code ${service.exit.code})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`${service.name} not ready at ${url} within ${READY_TIMEOUT_MS} ms`);
}

async function stopServices(running: readonly Running[], signal: NodeJS.Signals): Promise<boolean> {
  for (const service of running) if (service.exit === undefined) service.child.kill(signal);
  const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const);
  const all = Promise.all(running.map((service) => service.exited));
  if ((await Promise.race([all, timer])) === 'timeout') {
    for (const service of running.filter((candidate) => candidate.exit === undefined)) {
      say(`${service.name} did not stop within ${STOP_TIMEOUT_MS} ms, killing it`);
      service.child.kill('SIGKILL');
    }
    return false;
  }
  return running.every((service) => service.exit?.code === 0);
}

function childEnvironment(databaseUrl: string, brokers: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
  };
  // Per-service settings: one value in this shell would make the three services collide.
  for (const name of ['PORT', 'DATABASE_SCHEMA', 'KAFKA_CLIENT_ID']) delete env[name];
  return env;
}

async function prepare(): Promise<{ databaseUrl: string; brokers: string; kafkaStarted: boolean }> {
  const kafka = ensureKafka();
  const databaseUrl = await ensureDatabase();
  const logger = new JsonLogger({
    service: 'start',
    write: (line) => say(formatLogLineForHumans(line)),
  });
  await migrateAll(databaseUrl, logger);
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  const report = await provisionTopics(kafka.brokers, TOPIC_CATALOG, { prefix });
  for (const line of formatProvisionReport(report)) say(`topics: ${line}`);
  return { databaseUrl, brokers: kafka.brokers, kafkaStarted: kafka.startedHere };
}

/** Starts the services and resolves with the exit code once they have all stopped. */
class Supervisor {
  private readonly running: Running[] = [];
  private kafkaStarted = false;
  private stopping: Promise<number> | undefined;
  private settle: (code: number) => void = () => undefined;
  /** Settles the process: the exit code of the first stop, whatever triggered it. */
  readonly finished = new Promise<number>((resolveCode) => {
    this.settle = resolveCode;
  });

  stop(signal: NodeJS.Signals, failed: boolean): Promise<number> {
    this.stopping ??= (async () => {
      say(`stopping the services (${signal})`);
      const clean = await stopServices(this.running, signal);
      if (this.kafkaStarted) runKafkaScript('stop');
      const code = failed || !clean ? 1 : 0;
      this.settle(code);
      return code;
    })();
    return this.stopping;
  }

  killAll(): void {
    for (const service of this.running) {
      if (service.exit === undefined) service.child.kill('SIGKILL');
    }
  }

  async start(): Promise<void> {
    const prepared = await prepare();
    this.kafkaStarted = prepared.kafkaStarted;
    const env = childEnvironment(prepared.databaseUrl, prepared.brokers);
    for (const { name, port } of SERVICES) {
      const service = spawnService(name, port, env);
      this.running.push(service);
      void service.exited.then(() => {
        if (this.stopping !== undefined) return;
        say(
          `${name} exited unexpectedly (code ${service.exit?.code}, signal ${service.exit?.signal})`,
        );
        void this.stop('SIGTERM', true);
      });
    }
    const host = readyHost(process.env.HOST);
    await Promise.all(this.running.map((service) => waitUntilReady(service, host)));
    say('ready:');
    for (const { name, port } of SERVICES) {
      say(`  ${name.padEnd(10)} http://${host}:${port}  (docs: http://${host}:${port}/docs)`);
    }
    say('press Ctrl-C to stop');
  }
}

async function main(): Promise<number> {
  const supervisor = new Supervisor();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void supervisor.stop(signal, false));
  }
  process.on('exit', () => supervisor.killAll());
  try {
    await supervisor.start();
  } catch (error) {
    say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    return supervisor.stop('SIGTERM', true);
  }
  return supervisor.finished;
}

function readyHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
