// Kafka and PostgreSQL for `npm start`: found or started, and checked, with errors that name the
// setting to change.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { LOCAL_DATABASE_URL, StartSettings } from './settings';

export const repositoryRoot = join(__dirname, '..', '..', '..');
const CONNECT_TIMEOUT_MS = 5000;

export const say = (text: string): void => void process.stdout.write(`[plafond] ${text}\n`);

/** An infrastructure problem the operator fixes with a setting; the message says which. */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
}

/** Errors of a connection that never got an answer, as opposed to one the server refused. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The URL as it can be shown: no password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

export function explainDatabaseError(url: string, error: unknown): InfrastructureError {
  const shown = withoutPassword(url);
  const code = errorCode(error);
  const timedOut = /timeout/i.test(messageOf(error));
  if ((code !== undefined && UNREACHABLE.has(code)) || timedOut) {
    return new InfrastructureError(
      `PostgreSQL at ${shown} does not answer (${code ?? 'timeout'}); start it or set DATABASE_URL`,
    );
  }
  return new InfrastructureError(
    `PostgreSQL at ${shown} refused: ${messageOf(error)}; check DATABASE_URL`,
  );
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (error) {
    throw explainDatabaseError(url, error);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** DATABASE_URL checked, or the local database created when missing. */
export async function ensureDatabase(settings: StartSettings): Promise<string> {
  if (settings.configuredDatabaseUrl !== undefined) {
    await withClient(settings.configuredDatabaseUrl, (client) => client.query('SELECT 1'));
    say(`PostgreSQL: ${withoutPassword(settings.configuredDatabaseUrl)} (DATABASE_URL)`);
    return settings.configuredDatabaseUrl;
  }
  const target = new URL(LOCAL_DATABASE_URL);
  const database = target.pathname.slice(1);
  const server = new URL(LOCAL_DATABASE_URL);
  server.pathname = '/postgres';
  await withClient(server.toString(), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database}"`);
      say(`PostgreSQL: created database ${database} on ${target.host}`);
    }
  });
  say(`PostgreSQL: ${LOCAL_DATABASE_URL} (DATABASE_URL is unset)`);
  return LOCAL_DATABASE_URL;
}

/** Resolves true when a TCP connection to host:port opens within the bound. */
export function portAnswers(address: string, timeoutMs = 3000): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export function runKafkaScript(command: 'start' | 'stop' | 'status', env: NodeJS.ProcessEnv) {
  return spawnSync('bash', [join(repositoryRoot, 'scripts', 'kafka.sh'), command], {
    stdio: command === 'status' ? 'ignore' : 'inherit',
    cwd: repositoryRoot,
    env,
  });
}

export interface KafkaChoice {
  readonly brokers: string;
  /** This script started the broker, so it stops it on the way out. */
  readonly startedHere: boolean;
}

async function configuredKafka(brokers: string): Promise<KafkaChoice> {
  const list = brokers.split(',').map((broker) => broker.trim());
  const answers = await Promise.all(list.map((broker) => portAnswers(broker)));
  if (!answers.includes(true)) {
    throw new InfrastructureError(
      `Kafka at ${brokers} does not answer; start it or set KAFKA_BROKERS`,
    );
  }
  say(`Kafka: ${brokers} (KAFKA_BROKERS)`);
  return { brokers, startedHere: false };
}

/** KAFKA_BROKERS when set (and answering); otherwise the local broker, started when needed. */
export async function ensureKafka(settings: StartSettings): Promise<KafkaChoice> {
  if (settings.configuredBrokers !== undefined) return configuredKafka(settings.configuredBrokers);
  const local = settings.localBrokers;
  if (runKafkaScript('status', process.env).status === 0) {
    say(`Kafka: a local broker already answers on ${local}`);
    return { brokers: local, startedHere: false };
  }
  say(
    `Kafka: KAFKA_BROKERS is unset, starting a local broker on ${local} (scripts/kafka.sh start)`,
  );
  const started = runKafkaScript('start', process.env);
  if (started.status === 0) return { brokers: local, startedHere: true };
  if (started.signal !== null) {
    // Interrupted while waiting for the broker it had already launched in its own session.
    runKafkaScript('stop', process.env);
    throw new InfrastructureError(
      `starting the local Kafka broker was interrupted (${started.signal})`,
    );
  }
  if (await portAnswers(local)) {
    throw new InfrastructureError(
      `${local} is taken by something that is not a Kafka broker; set KAFKA_PORT to run the ` +
        'local broker on another port, or KAFKA_BROKERS to use a running broker',
    );
  }
  throw new InfrastructureError(
    `could not start the local Kafka broker on ${local} (see above); ` +
      'set KAFKA_BROKERS to use a running broker',
  );
}

export function explainKafkaError(brokers: string, error: unknown): InfrastructureError {
  return new InfrastructureError(
    `Kafka at ${brokers}: ${messageOf(error)}; start it or set KAFKA_BROKERS`,
  );
}
