import { DynamicModule, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { armedFailpoints, type ArmedFailpoint } from '@plafond/ledger';
import { describeConfigValues, Environment, loadConfig } from '../config/load-config';
import { ServiceConfig } from '../config/service-config';
import { MigrationClass } from '../database/data-source';
import { bodyErrorMiddleware, jsonBodyVerifier } from '../http/body-errors';
import { correlationMiddleware } from '../http/correlation.middleware';
import { JsonLogger } from '../logging/json-logger';
import { PlatformModule } from '../module/platform.module';
import { installGracefulShutdown } from './graceful-shutdown';
import { OPENAPI_JSON_PATH, OPENAPI_UI_PATH, OpenApiInfo, serveOpenApi } from './openapi';

/** Everything that makes one of the three services, declared once in apps/<app>/src/definition.ts. */
export interface ServiceDefinition<C extends ServiceConfig> {
  /** `allocation`, `ingestion` or `billing`: the `service` field of every log line. */
  readonly name: string;
  readonly configClass: Type<C>;
  /**
   * The app's feature module, made from the validated config (wiring such as the ledger's schema
   * depends on it); PlatformModule is added next to it.
   */
  readonly module: (config: C) => Type<unknown> | DynamicModule;
  /** The schema's migrations, checked by readiness (they are run by `npm run migrate`). */
  readonly migrations: (schema: string) => readonly MigrationClass[];
  readonly openApi: OpenApiInfo;
  /** Largest JSON body accepted; 1 MiB unless the service needs more (batch endpoints). */
  readonly bodyLimitBytes?: number;
  /**
   * Refuse JSON numbers written with an exponent (`1e3`) with 400 REQUEST.INVALID, before parsing:
   * once parsed they look like any other number. For services whose docs refuse exponents.
   */
  readonly refuseExponentNumbers?: boolean;
}

@Module({})
class ServiceRootModule {}

/**
 * The Nest application of a service, configured but not listening: tests and the embedded mode
 * can start it their own way. Middleware order matters: the correlation id is set before the
 * body is parsed, so even a malformed body is answered and logged with one.
 */
export interface ServiceApplicationOptions {
  /**
   * Modules the composition root adds next to the service's own, e.g. the embedded mode's
   * `MessageTransportModule.forRoot({ kind: 'ledger-log', ... })` (adapters chosen by the host).
   */
  readonly imports?: readonly (Type<unknown> | DynamicModule)[];
  /** False when no broker is used (the embedded mode): readiness does not probe Kafka. */
  readonly kafkaReadiness?: boolean;
  /** See PlatformModuleOptions.databaseConnectTimeoutMs (the embedded host raises it). */
  readonly databaseConnectTimeoutMs?: number;
}

export async function createServiceApplication<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger: JsonLogger,
  options: ServiceApplicationOptions = {},
): Promise<NestExpressApplication> {
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forRoot({
        service: definition.name,
        config,
        configClass: definition.configClass,
        logger,
        migrations: definition.migrations(config.databaseSchema),
        ...(options.kafkaReadiness === false ? { kafkaReadiness: false } : {}),
        ...(options.databaseConnectTimeoutMs === undefined
          ? {}
          : { databaseConnectTimeoutMs: options.databaseConnectTimeoutMs }),
      }),
      definition.module(config),
      ...(options.imports ?? []),
    ],
  };
  const app = await NestFactory.create<NestExpressApplication>(root, {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(correlationMiddleware(logger));
  // `+json` media types too: CloudEvents arrive as application/cloudevents(-batch)+json.
  app.useBodyParser('json', {
    limit: definition.bodyLimitBytes ?? 1024 * 1024,
    type: ['application/json', 'application/*+json'],
    // Invalid UTF-8, excessive nesting and (opt-in) exponent numbers are refused with a 400
    // before parsing (body-errors.ts).
    verify: jsonBodyVerifier({ refuseExponentNumbers: definition.refuseExponentNumbers }),
  });
  app.use(bodyErrorMiddleware);
  serveOpenApi(app, definition.openApi);
  return app;
}

/** An uncaught exception or unhandled rejection is logged as fatal and ends the process (exit 1). */
export function installCrashHandlers(logger: JsonLogger): void {
  process.on('uncaughtException', (error) => {
    logger.write('fatal', 'uncaught exception', { err: error }, 'Process');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.write('fatal', 'unhandled promise rejection', { err: reason }, 'Process');
    process.exit(1);
  });
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Until the service listens, a stop request cannot drain anything: it ends the process at once
 * with a log line and exit code 0 (it was asked to stop), rather than the signal's default death
 * (status 143, no line) during, say, the database connection retries. Returns the uninstaller.
 */
function stopDuringStartUp(logger: JsonLogger): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.write('info', 'stop requested during start-up; exiting', { signal }, 'Bootstrap');
    process.exit(0);
  };
  const onParentGone = () => {
    logger.write('warn', 'parent process gone during start-up; exiting', {}, 'Bootstrap');
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  // Only a service started with an IPC channel (`npm start`) has a parent to lose.
  if (process.connected === true) process.on('disconnect', onParentGone);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    process.off('disconnect', onParentGone);
  };
}

/** Once listening: losing the parent (`npm start` died, however) is a graceful stop like SIGTERM. */
function stopWhenParentGone(logger: JsonLogger): void {
  if (process.connected !== true) return;
  process.once('disconnect', () => {
    logger.write('warn', 'parent process gone; stopping', {}, 'Bootstrap');
    process.kill(process.pid, 'SIGTERM');
  });
}

function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A service's main(): validates the configuration before anything else (a bad value stops the
 * process with exit code 1 and one readable line on stderr), then starts Nest with the JSON
 * logger, listens on HOST:PORT and handles SIGTERM/SIGINT gracefully (during start-up: exit 0 at
 * once). Started with an IPC channel (by `npm start`), it also stops when that channel closes.
 */
export async function bootstrapService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  env: Environment = process.env,
): Promise<NestExpressApplication | undefined> {
  let config: C;
  let failpoints: readonly ArmedFailpoint[];
  try {
    config = loadConfig(definition.configClass, env);
    // A misspelt failpoint must stop the start, not fail the first commit (docs/faults.md).
    failpoints = armedFailpoints();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${definition.name}: ${message}\n`);
    process.exitCode = 1;
    return undefined;
  }
  const logger = new JsonLogger({ service: definition.name, level: config.logLevel });
  installCrashHandlers(logger);
  const startUpDone = stopDuringStartUp(logger);
  logger.write('info', 'configuration loaded', describeConfigValues(config), 'Bootstrap');
  if (failpoints.length > 0) {
    logger.write(
      'warn',
      'failpoints armed: this process will SIGKILL itself (fault tests only, never in production)',
      { failpoints: failpoints.map((point) => `${point.name}@${point.hit}`) },
      'Bootstrap',
    );
  }
  try {
    const app = await createServiceApplication(definition, config, logger);
    await app.listen(config.port, config.host);
    startUpDone();
    installGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs, logger });
    stopWhenParentGone(logger);
    const base = `http://${browsableHost(config.host)}:${config.port}`;
    logger.write(
      'info',
      `${definition.name} listening on ${base}`,
      {
        url: base,
        docs: `${base}/${OPENAPI_UI_PATH}`,
        openapi: `${base}/${OPENAPI_JSON_PATH}`,
        ready: `${base}/health/ready`,
      },
      'Bootstrap',
    );
    return app;
  } catch (error) {
    logger.write('fatal', 'start failed', { err: error }, 'Bootstrap');
    process.exit(1);
  }
}
