import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { ShutdownState } from '../health/shutdown-state';
import { JsonLogger } from '../logging/json-logger';

export interface GracefulShutdownOptions {
  readonly timeoutMs: number;
  readonly logger: JsonLogger;
  readonly signals?: readonly NodeJS.Signals[];
  /** Injected by tests; `process.exit` otherwise. */
  readonly exit?: (code: number) => void;
}

const idleSweepIntervalMs = 100;

/**
 * Stops accepting connections at once and resolves when in-flight requests are done. Keep-alive
 * connections that fall idle are closed as they do, so a client holding one open cannot stall us.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const sweep = setInterval(() => server.closeIdleConnections(), idleSweepIntervalMs);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Nest's enableShutdownHooks() re-raises the signal by default (the process then dies with status
 * 143), has no time bound and keeps accepting connections while consumers stop. Here: readiness
 * turns 503, HTTP stops accepting and drains, then app.close() runs the lifecycle hooks in order
 * (Kafka consumers stop, producers and the PostgreSQL pool close), and the process exits 0 — or
 * 1 with a log line when SHUTDOWN_TIMEOUT_MS runs out.
 */
export function installGracefulShutdown(
  app: INestApplication,
  options: GracefulShutdownOptions,
): void {
  const { logger, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    const startedAt = Date.now();
    logger.write('info', 'shutting down', { signal, timeoutMs }, 'Shutdown');
    const deadline = setTimeout(() => {
      logger.write('error', 'shutdown timed out; exiting anyway', { timeoutMs }, 'Shutdown');
      exit(1);
    }, timeoutMs);
    deadline.unref();
    try {
      app.get(ShutdownState).startDraining(new Date());
      await closeHttpServer(app.getHttpServer() as Server);
      logger.write('info', 'HTTP drained', { elapsedMs: Date.now() - startedAt }, 'Shutdown');
      await app.close();
      clearTimeout(deadline);
      logger.write('info', 'shutdown complete', { elapsedMs: Date.now() - startedAt }, 'Shutdown');
      exit(0);
    } catch (error) {
      clearTimeout(deadline);
      logger.write('error', 'shutdown failed', { err: error }, 'Shutdown');
      exit(1);
    }
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      logger.write('warn', 'shutdown already in progress', { signal }, 'Shutdown');
      return;
    }
    started = true;
    void shutdown(signal);
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, onSignal);
}
