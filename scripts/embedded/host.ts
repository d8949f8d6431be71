// The one-process host behind `npm start` when Kafka is not configured: PostgreSQL (PGlite on the
// data directory, or DATABASE_URL), the three schemas migrated, allocation, ingestion and billing
// as three Nest applications of this process, each on its own port and its own pool, their
// consumers reading the other services' ledgers in place (MessageTransportModule, ledger-log).
// Then, on the first run, the demo organisation seeded over the services' real HTTP APIs, and
// the web console (apps/console/server) on CONSOLE_PORT, proxying to the three apps.
// One stop, whatever triggers it (a signal, a failed step): HTTP drained, the apps closed, PGlite
// closed, exit 0 — or 1 when something failed or the stop outran the services' SHUTDOWN_TIMEOUT_MS.
import { MessageTransportModule } from '@plafond/messaging';
import {
  closeHttpServer,
  createServiceApplication,
  EmbeddedPostgres,
  formatLogLineForHumans,
  JsonLogger,
  RunningEmbeddedPostgres,
  ServiceConfig,
  ShutdownState,
} from '@plafond/platform';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALLOCATION_SERVICE } from '../../apps/allocation/src/definition';
import { ConsoleServer } from '../../apps/console/server/console-server';
import { allocationLedgerLogProducer } from '../../apps/allocation/src/messaging';
import { BILLING_SERVICE } from '../../apps/billing/src/definition';
import { billingLedgerLogProducer } from '../../apps/billing/src/messaging';
import { INGESTION_SERVICE } from '../../apps/ingestion/src/definition';
import { ingestionLedgerLogProducer } from '../../apps/ingestion/src/messaging';
import { DemoSeedConflictError, seedDemo, type DemoSeed } from '../demo/seed';
import { migrateAll } from '../migrate';
import { storedAdminKey } from '../start/admin-key';
import { explainDatabaseError, say, withoutPassword } from '../start/infrastructure';
import { StopSwitch } from '../start/stop-switch';
import { AdminKeyShown, bannerLines } from './banner';
import { demoState, readDemoState, writeDemoState } from './demo-state';
import {
  ADMIN_KEY_FILE_NAME,
  EmbeddedSettings,
  loadConsoleConfig,
  loadServiceConfigs,
  ServiceConfigs,
  ServiceName,
} from './settings';

const READY_TIMEOUT_MS = 60_000;
/**
 * How long a request waits for a pool connection on the embedded PostgreSQL before it is refused
 * 503 SERVICE.BUSY (Retry-After). Every connection of the three pools (10 each, DATABASE_POOL_MAX)
 * takes its turn on PGlite's one session, so a burst queues: 5 s (the default for a real server)
 * refused a few of 200 concurrent requests; 10 s absorbs such a burst and still answers within
 * the default SHUTDOWN_TIMEOUT_MS, so a stop during a burst drains in time. More connections would
 * not help: they only wait at the multiplexer instead of in the pool.
 */
export const EMBEDDED_POOL_CONNECT_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 200;

export type HostDatabase =
  { readonly kind: 'embedded' } | { readonly kind: 'database'; readonly databaseUrl: string };

interface HostedApp {
  readonly name: ServiceName;
  readonly app: NestExpressApplication;
  readonly logger: JsonLogger;
}

/** Service log lines: JSON on stdout as each service writes them; readable on a terminal. */
function serviceLogger(name: ServiceName, config: ServiceConfig): JsonLogger {
  const pretty = process.stdout.isTTY === true;
  const prefix = `[${name}]`.padEnd(13);
  return new JsonLogger({
    service: name,
    level: config.logLevel,
    write: pretty
      ? (line) => void process.stdout.write(`${prefix} ${formatLogLineForHumans(line)}\n`)
      : (line) => void process.stdout.write(`${line}\n`),
  });
}

function browsableHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export class EmbeddedHost {
  /** Stopped once: on the first stop signal. */
  private readonly halt = new StopSwitch();
  private postgres: RunningEmbeddedPostgres | undefined;
  private readonly apps: HostedApp[] = [];
  private console: ConsoleServer | undefined;
  /** The services' SHUTDOWN_TIMEOUT_MS (the largest), once their configs are loaded. */
  private shutdownTimeoutMs = 10_000;

  constructor(
    private readonly settings: EmbeddedSettings,
    private readonly database: HostDatabase,
  ) {}

  requestStop(signal: NodeJS.Signals): void {
    this.halt.request(signal);
  }

  /** Resolves with the exit code once everything this host started has stopped. */
  async run(): Promise<number> {
    const started = await this.halt.runUntilStopped(() => this.startAll());
    const clean = await this.stopAll();
    return !started || !clean ? 1 : 0;
  }

  private async openDatabase(): Promise<{ url: string; label: string }> {
    if (this.database.kind === 'database') {
      const shown = withoutPassword(this.database.databaseUrl);
      say(`PostgreSQL: ${shown} (DATABASE_URL; no Kafka: the services read each other's ledgers)`);
      return { url: this.database.databaseUrl, label: shown };
    }
    const { dataDir, postgresPort } = this.settings;
    say(`PostgreSQL: embedded (PGlite) in ${dataDir}`);
    this.postgres = await EmbeddedPostgres.start({
      dataDir,
      port: postgresPort,
      logger: new JsonLogger({ service: 'postgres' }),
    });
    return { url: this.postgres.url, label: `embedded PostgreSQL (PGlite) in ${dataDir}` };
  }

  private adminKey(): AdminKeyShown {
    const { configuredAdminKey, dataDir } = this.settings;
    if (configuredAdminKey !== undefined) {
      return { key: configuredAdminKey, origin: 'ADMIN_API_KEY', reveal: false };
    }
    const file = join(dataDir, ADMIN_KEY_FILE_NAME);
    const { key, created } = storedAdminKey(file);
    return { key, origin: { file }, reveal: created };
  }

  private async startApps(configs: ServiceConfigs): Promise<void> {
    const transport = MessageTransportModule.forRoot({
      kind: 'ledger-log',
      producers: [
        allocationLedgerLogProducer(configs.allocation),
        ingestionLedgerLogProducer(configs.ingestion),
        billingLedgerLogProducer(configs.billing),
      ],
    });
    const options = {
      imports: [transport],
      kafkaReadiness: false,
      ...(this.database.kind === 'embedded'
        ? { databaseConnectTimeoutMs: EMBEDDED_POOL_CONNECT_TIMEOUT_MS }
        : {}),
    };
    const create = {
      allocation: (logger: JsonLogger) =>
        createServiceApplication(ALLOCATION_SERVICE, configs.allocation, logger, options),
      ingestion: (logger: JsonLogger) =>
        createServiceApplication(INGESTION_SERVICE, configs.ingestion, logger, options),
      billing: (logger: JsonLogger) =>
        createServiceApplication(BILLING_SERVICE, configs.billing, logger, options),
    } satisfies Record<ServiceName, unknown>;
    for (const name of ['allocation', 'ingestion', 'billing'] as const) {
      const config = configs[name];
      const logger = serviceLogger(name, config);
      const app = await create[name](logger);
      this.apps.push({ name, app, logger });
      await app.listen(config.port, config.host);
      logger.write('info', `${name} listening on ${this.urlOf(config)}`, {}, 'Bootstrap');
      this.halt.checkpoint();
    }
  }

  private urlOf(config: ServiceConfig): string {
    return `http://${browsableHost(config.host)}:${config.port}`;
  }

  private async waitUntilReady(name: ServiceName, url: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      this.halt.checkpoint();
      try {
        const response = await fetch(`${url}/health/ready`, {
          signal: AbortSignal.any([this.halt.signal, AbortSignal.timeout(3000)]),
        });
        if (response.ok) return;
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = messageOf(error);
      }
      await sleep(READY_POLL_MS, undefined, { signal: this.halt.signal }).catch(() => undefined);
    }
    throw new Error(
      `${name} not ready at ${url}/health/ready within ${READY_TIMEOUT_MS} ms (${last})`,
    );
  }

  private async seed(
    urls: Record<ServiceName, string>,
    adminKey: string,
  ): Promise<{ seededNow: DemoSeed; state: ReturnType<typeof demoState> }> {
    say('demo: first run, seeding the demo organisation (PLAFOND_DEMO=false skips it)');
    let seeded: DemoSeed;
    try {
      seeded = await seedDemo({ urls, adminKey, log: (line: string) => say(`demo: ${line}`) });
    } catch (error) {
      const conflict = error instanceof DemoSeedConflictError;
      throw new Error(
        `the demo seed failed: ${messageOf(error)}. It is not marked as done: the next start ` +
          (conflict
            ? `seeds again and stops on the same data (delete ${this.settings.dataDir} to start ` +
              `afresh)`
            : `resumes it, keeping what this attempt created`) +
          `; PLAFOND_DEMO=false starts without the demo`,
      );
    }
    const state = demoState(seeded, new Date());
    writeDemoState(this.settings.dataDir, state);
    return { seededNow: seeded, state };
  }

  private async startAll(): Promise<void> {
    const { url, label } = await this.openDatabase();
    this.halt.checkpoint();
    const adminKey = this.adminKey();
    const migrationLog = new JsonLogger({
      service: 'start',
      write: (line) => say(formatLogLineForHumans(line)),
    });
    await migrateAll(url, migrationLog).catch((error: unknown) => {
      throw this.database.kind === 'database' ? explainDatabaseError(url, error) : error;
    });
    this.halt.checkpoint();
    const configs = loadServiceConfigs(this.settings, url, adminKey.key);
    this.shutdownTimeoutMs = Math.max(
      configs.allocation.shutdownTimeoutMs,
      configs.ingestion.shutdownTimeoutMs,
      configs.billing.shutdownTimeoutMs,
    );
    await this.startApps(configs);
    const urls = {
      allocation: this.urlOf(configs.allocation),
      ingestion: this.urlOf(configs.ingestion),
      billing: this.urlOf(configs.billing),
    };
    await Promise.all(
      (Object.entries(urls) as [ServiceName, string][]).map(([name, base]) =>
        this.waitUntilReady(name, base),
      ),
    );
    const consoleUrl = await this.startConsole(urls);
    let demo: Parameters<typeof bannerLines>[0]['demo'];
    if (this.settings.demo) {
      const earlier = readDemoState(this.settings.dataDir);
      // No checkpoint after seeding: keys just created must be printed even if a stop came meanwhile.
      demo = earlier === undefined ? await this.seed(urls, adminKey.key) : { earlier };
    }
    const reveal = adminKey.reveal || (demo !== undefined && 'seededNow' in demo);
    for (const line of bannerLines({
      database: label,
      dataDir: this.settings.dataDir,
      urls,
      consoleUrl,
      adminKey: { ...adminKey, reveal },
      demo,
      month: new Date().toISOString().slice(0, 7),
    })) {
      say(line);
    }
  }

  /** The web console next to the apps (unless PLAFOND_CONSOLE=false); its URL. */
  private async startConsole(urls: Record<ServiceName, string>): Promise<string | undefined> {
    if (this.settings.consolePort === undefined) return undefined;
    const config = loadConsoleConfig(this.settings, urls);
    this.shutdownTimeoutMs = Math.max(this.shutdownTimeoutMs, config.shutdownTimeoutMs);
    const pretty = process.stdout.isTTY === true;
    const prefix = '[console]'.padEnd(13);
    const logger = new JsonLogger({
      service: 'console',
      level: config.logLevel,
      write: pretty
        ? (line) => void process.stdout.write(`${prefix} ${formatLogLineForHumans(line)}\n`)
        : (line) => void process.stdout.write(`${line}\n`),
    });
    this.console = new ConsoleServer(config, logger);
    const running = await this.console.listen().catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      throw new Error(
        `the web console cannot listen on ${config.host}:${config.port} (${String(code)}): ` +
          'set CONSOLE_PORT to a free port, or PLAFOND_CONSOLE=false to leave the console out',
        { cause: error },
      );
    });
    this.halt.checkpoint();
    return running.url;
  }

  /** Drains HTTP, closes the apps, then PGlite; false when a step failed or ran out of time. */
  private async stopAll(): Promise<boolean> {
    if (this.apps.length === 0 && this.postgres === undefined && this.console === undefined) {
      return true;
    }
    say('stopping');
    const startedAt = Date.now();
    const work = this.stopEverything();
    const timer = new AbortController();
    const outcome = await Promise.race([
      work,
      sleep(this.shutdownTimeoutMs, 'timeout' as const, { signal: timer.signal }).catch(
        () => 'timeout' as const,
      ),
    ]);
    timer.abort();
    if (outcome === 'timeout') {
      say(`the stop did not finish within ${this.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS)`);
      return false;
    }
    say(`stopped in ${Date.now() - startedAt} ms`);
    return outcome;
  }

  private async stopEverything(): Promise<boolean> {
    let clean = true;
    // The console first: what it proxies is still answering while its calls finish.
    if (this.console !== undefined && !(await this.console.stop())) clean = false;
    const now = new Date();
    for (const { app } of this.apps) {
      try {
        app.get(ShutdownState).startDraining(now);
      } catch {
        // The app did not finish initialising; closing it below is all there is to do.
      }
    }
    await Promise.all(
      this.apps.map(async ({ name, app, logger }) => {
        try {
          await closeHttpServer(app.getHttpServer());
          logger.write('info', 'HTTP drained', {}, 'Shutdown');
          await app.close();
          logger.write('info', 'shutdown complete', {}, 'Shutdown');
        } catch (error) {
          clean = false;
          logger.write('error', 'shutdown failed', { err: error, service: name }, 'Shutdown');
        }
      }),
    );
    if (this.postgres !== undefined) {
      try {
        await this.postgres.close();
      } catch (error) {
        clean = false;
        say(`closing the embedded PostgreSQL failed: ${messageOf(error)}`);
      }
    }
    return clean;
  }
}
