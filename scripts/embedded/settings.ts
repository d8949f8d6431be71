// What the one-process host of `npm start` reads (embedded mode, or DATABASE_URL without Kafka),
// validated before it touches the data directory:
//   PLAFOND_DATA_DIR          data directory (default `.plafond` in the current directory): PGlite's
//                             files, its lock, the generated admin key and the demo's ids
//   PLAFOND_EMBEDDED_PG_PORT  loopback port of the embedded PostgreSQL (default 0: any free port)
//   PLAFOND_DEMO              `false` skips seeding the demo organisation on the first run
//   PLAFOND_CONSOLE           `false` does not start the web console (CONSOLE_PORT, default 3000)
//   ALLOCATION_PORT, INGESTION_PORT, BILLING_PORT, HOST, ADMIN_API_KEY and every other service
//   variable, as for the supervisor; each service's own config class validates them.
import { loadConfig } from '@plafond/platform';
import { resolve } from 'node:path';
import { ConsoleConfig } from '../../apps/console/server/config';
import { AllocationConfig } from '../../apps/allocation/src/config';
import { BillingConfig } from '../../apps/billing/src/config';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import {
  nonEmpty,
  PER_SERVICE_VARIABLES,
  readConsoleEnabled,
  readPort,
  SERVICE_DEFINITIONS,
  StartSettingsError,
  uniquePorts,
} from '../start/settings';

export const DEFAULT_DATA_DIR = '.plafond';
export const ADMIN_KEY_FILE_NAME = 'admin-api-key';
export const DEMO_FILE_NAME = 'demo.json';

/**
 * What the services' config classes get for KAFKA_BROKERS, which they require: with the ledger-log
 * transport nothing dials a broker. `.invalid` never resolves (RFC 2606), so a connection attempt
 * that should not happen fails loudly instead of reaching some broker on this machine.
 */
export const UNUSED_KAFKA_BROKERS = 'kafka.unused.invalid:9092';
/** Only for validating the configuration before the database exists; never connected to. */
const PLACEHOLDER_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type ServiceName = (typeof SERVICE_DEFINITIONS)[number]['name'];

export interface ServiceConfigs {
  readonly allocation: AllocationConfig;
  readonly ingestion: IngestionConfig;
  readonly billing: BillingConfig;
}

export interface EmbeddedSettings {
  /** Absolute. */
  readonly dataDir: string;
  /** 0: any free loopback port. */
  readonly postgresPort: number;
  readonly demo: boolean;
  /** The web console's port; undefined when PLAFOND_CONSOLE=false. */
  readonly consolePort: number | undefined;
  /** ADMIN_API_KEY when set; otherwise the key kept in `<dataDir>/admin-api-key`. */
  readonly configuredAdminKey: string | undefined;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** The services' shared environment; DATABASE_URL and ADMIN_API_KEY are added once known. */
  readonly sharedEnv: NodeJS.ProcessEnv;
}

function readPostgresPort(env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env.PLAFOND_EMBEDDED_PG_PORT);
  if (raw === undefined || raw === '0') return 0;
  return readPort(env, 'PLAFOND_EMBEDDED_PG_PORT', 0);
}

function readDemo(env: NodeJS.ProcessEnv): boolean {
  const raw = nonEmpty(env.PLAFOND_DEMO);
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new StartSettingsError(`PLAFOND_DEMO must be true or false (got ${JSON.stringify(raw)})`);
}

/** The console's configuration, proxying to the services of this process at `urls`. */
export function loadConsoleConfig(
  settings: EmbeddedSettings,
  urls: Readonly<Record<ServiceName, string>>,
): ConsoleConfig {
  return loadConfig(ConsoleConfig, {
    ...settings.sharedEnv,
    ALLOCATION_URL: urls.allocation,
    INGESTION_URL: urls.ingestion,
    BILLING_URL: urls.billing,
  });
}

/** Every service's configuration as the service will see it, on `databaseUrl`. */
export function loadServiceConfigs(
  settings: EmbeddedSettings,
  databaseUrl: string,
  adminKey: string | undefined,
): ServiceConfigs {
  const envOf = (name: ServiceName): NodeJS.ProcessEnv => ({
    ...settings.sharedEnv,
    DATABASE_URL: databaseUrl,
    ...(adminKey === undefined ? {} : { ADMIN_API_KEY: adminKey }),
    PORT: String(settings.ports[name]),
  });
  return {
    allocation: loadConfig(AllocationConfig, envOf('allocation')),
    ingestion: loadConfig(IngestionConfig, envOf('ingestion')),
    billing: loadConfig(BillingConfig, envOf('billing')),
  };
}

/**
 * Reads and validates everything up front, including each service's configuration (on a
 * placeholder database URL), so a bad value stops `npm start` before it creates anything.
 */
export function readEmbeddedSettings(env: NodeJS.ProcessEnv, cwd: string): EmbeddedSettings {
  const ports = SERVICE_DEFINITIONS.map((service) => ({
    ...service,
    port: readPort(env, service.portVariable, new service.configClass().port),
  }));
  const consoleEnabled = readConsoleEnabled(env);
  const consolePort = consoleEnabled
    ? readPort(env, 'CONSOLE_PORT', new ConsoleConfig().port)
    : undefined;
  uniquePorts([
    ...ports,
    ...(consolePort === undefined ? [] : [{ portVariable: 'CONSOLE_PORT', port: consolePort }]),
  ]);
  const sharedEnv: NodeJS.ProcessEnv = { ...env, KAFKA_BROKERS: UNUSED_KAFKA_BROKERS };
  for (const name of PER_SERVICE_VARIABLES) delete sharedEnv[name];
  const settings: EmbeddedSettings = {
    dataDir: resolve(cwd, nonEmpty(env.PLAFOND_DATA_DIR) ?? DEFAULT_DATA_DIR),
    postgresPort: readPostgresPort(env),
    demo: readDemo(env),
    consolePort,
    configuredAdminKey: nonEmpty(env.ADMIN_API_KEY),
    ports: Object.fromEntries(ports.map(({ name, port }) => [name, port])) as Record<
      ServiceName,
      number
    >,
    sharedEnv,
  };
  loadServiceConfigs(settings, PLACEHOLDER_DATABASE_URL, settings.configuredAdminKey);
  if (consoleEnabled) {
    const placeholder = 'http://127.0.0.1:1';
    loadConsoleConfig(settings, {
      allocation: placeholder,
      ingestion: placeholder,
      billing: placeholder,
    });
  }
  return settings;
}
