// What `npm start` reads from its own environment, validated before anything is started, and the
// environment it hands to each service. Which mode runs is chosen in ./mode.ts; the one-process
// host's own settings (PLAFOND_DATA_DIR, PLAFOND_EMBEDDED_PG_PORT, PLAFOND_DEMO) are read in
// scripts/embedded/settings.ts with the helpers below. Documented in docs/configuration.md.
import { loadConfig, ServiceConfig } from '@plafond/platform';
import { AllocationConfig } from '../../apps/allocation/src/config';
import { BillingConfig } from '../../apps/billing/src/config';
import { ConsoleConfig } from '../../apps/console/server/config';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import { AdminKeySetting, LOCAL_ADMIN_KEY_FILE, localAdminKey } from './admin-key';

export const LOCAL_HOST = '127.0.0.1';
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/plafond';
const DEFAULT_KAFKA_PORT = 9092;

export const SERVICE_DEFINITIONS = [
  { name: 'allocation', portVariable: 'ALLOCATION_PORT', configClass: AllocationConfig },
  { name: 'ingestion', portVariable: 'INGESTION_PORT', configClass: IngestionConfig },
  { name: 'billing', portVariable: 'BILLING_PORT', configClass: BillingConfig },
] as const;

/** Per-service settings: one value in this shell would make the three services collide. */
export const PER_SERVICE_VARIABLES = ['PORT', 'DATABASE_SCHEMA', 'KAFKA_CLIENT_ID'] as const;

export interface ServiceSettings {
  readonly name: string;
  readonly port: number;
  /** The built entry point, relative to the repository; dist/apps/<name>/src/main.js if unset. */
  readonly entry?: string;
  /** What the ready line shows after the URL. */
  readonly note?: string;
  /** The complete environment of the service's process. */
  readonly env: NodeJS.ProcessEnv;
}

export interface StartSettings {
  /** The admin key every service installs as its bootstrap key (printed when it is the local one). */
  readonly adminKey: AdminKeySetting;
  /** KAFKA_BROKERS when set; otherwise the local broker is used or started. */
  readonly configuredBrokers: string | undefined;
  /** Where `scripts/kafka.sh` runs the local broker: 127.0.0.1:KAFKA_PORT. */
  readonly localBrokers: string;
  readonly configuredDatabaseUrl: string | undefined;
  readonly topicPrefix: string;
  readonly services: readonly ServiceSettings[];
}

/** A setting of `npm start` itself is unusable; the message names the variable. */
export class StartSettingsError extends Error {
  override readonly name = 'StartSettingsError';
}

export const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** An integer TCP port, 1–65535, or the fallback when the variable is unset or empty. */
export function readPort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = nonEmpty(env[variable]);
  if (raw === undefined) return fallback;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
    throw new StartSettingsError(
      `${variable} must be an integer from 1 to 65535 (got ${JSON.stringify(raw)})`,
    );
  }
  return port;
}

export function uniquePorts(services: readonly { portVariable: string; port: number }[]): void {
  for (const [index, service] of services.entries()) {
    const other = services.slice(0, index).find((earlier) => earlier.port === service.port);
    if (other !== undefined) {
      throw new StartSettingsError(
        `${other.portVariable} and ${service.portVariable} are both ${service.port}; ` +
          'each service needs its own port',
      );
    }
  }
}

/** `PLAFOND_CONSOLE`: `false` leaves the web console out (both modes of `npm start`). */
export function readConsoleEnabled(env: NodeJS.ProcessEnv): boolean {
  const raw = nonEmpty(env.PLAFOND_CONSOLE);
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new StartSettingsError(
    `PLAFOND_CONSOLE must be true or false (got ${JSON.stringify(raw)})`,
  );
}

/** Where a process on this machine reaches a service listening on HOST. */
function reachableHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return LOCAL_HOST;
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The web console's process (dist/apps/console/server/main.js), proxying to the services
 * started next to it; it gets neither the database URL nor the admin key: it holds no secret.
 */
function consoleSettings(
  env: NodeJS.ProcessEnv,
  services: readonly { name: string; port: number }[],
  port: number,
): ServiceSettings {
  const host = reachableHost(nonEmpty(env.HOST));
  const consoleEnv: NodeJS.ProcessEnv = { ...env, CONSOLE_PORT: String(port) };
  for (const name of [...PER_SERVICE_VARIABLES, 'DATABASE_URL', 'ADMIN_API_KEY', 'KAFKA_BROKERS']) {
    delete consoleEnv[name];
  }
  for (const { name, port: servicePort } of services) {
    consoleEnv[`${name.toUpperCase()}_URL`] = `http://${host}:${servicePort}`;
  }
  loadConfig(ConsoleConfig, consoleEnv);
  return {
    name: 'console',
    port,
    entry: 'dist/apps/console/server/main.js',
    note: 'web console: sign in with an API key',
    env: consoleEnv,
  };
}

/**
 * Reads and validates everything up front, including each service's own configuration as the
 * service will see it, so a bad value stops `npm start` before it starts Kafka or migrates.
 */
export function readStartSettings(
  env: NodeJS.ProcessEnv,
  fallbackAdminKey: () => string = localAdminKey,
): StartSettings {
  const configuredAdminKey = nonEmpty(env.ADMIN_API_KEY);
  const adminKey: AdminKeySetting =
    configuredAdminKey === undefined
      ? { key: fallbackAdminKey(), origin: LOCAL_ADMIN_KEY_FILE }
      : { key: configuredAdminKey, origin: 'ADMIN_API_KEY' };
  const configuredBrokers = nonEmpty(env.KAFKA_BROKERS);
  const localBrokers = `${LOCAL_HOST}:${readPort(env, 'KAFKA_PORT', DEFAULT_KAFKA_PORT)}`;
  const configuredDatabaseUrl = nonEmpty(env.DATABASE_URL);
  const shared: NodeJS.ProcessEnv = {
    ...env,
    DATABASE_URL: configuredDatabaseUrl ?? LOCAL_DATABASE_URL,
    KAFKA_BROKERS: configuredBrokers ?? localBrokers,
    ADMIN_API_KEY: adminKey.key,
  };
  for (const name of PER_SERVICE_VARIABLES) delete shared[name];
  const ports = SERVICE_DEFINITIONS.map((service) => ({
    ...service,
    port: readPort(env, service.portVariable, new service.configClass().port),
  }));
  const consolePort = readConsoleEnabled(env)
    ? readPort(env, 'CONSOLE_PORT', new ConsoleConfig().port)
    : undefined;
  uniquePorts([
    ...ports,
    ...(consolePort === undefined ? [] : [{ portVariable: 'CONSOLE_PORT', port: consolePort }]),
  ]);
  const services = ports.map(({ name, port, configClass }) => {
    const serviceEnv = { ...shared, PORT: String(port) };
    const config = loadConfig<ServiceConfig>(configClass, serviceEnv);
    return { name, port, env: serviceEnv, topicPrefix: config.kafkaTopicPrefix };
  });
  // KAFKA_TOPIC_PREFIX is shared, so every service read the same one.
  const topicPrefix = services[0]?.topicPrefix ?? '';
  return {
    adminKey,
    configuredBrokers,
    localBrokers,
    configuredDatabaseUrl,
    topicPrefix,
    services: [
      ...services.map(({ name, port, env: serviceEnv }) => ({ name, port, env: serviceEnv })),
      ...(consolePort === undefined ? [] : [consoleSettings(env, ports, consolePort)]),
    ],
  };
}
