import { EnvVar } from './env-var.decorator';
import { IntegerVar, ListenHostVar, OneOfVar } from './env-validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What every Plafond process reads, service or not: where it listens, how much it logs, how long
 * it may take to stop. ServiceConfig (the three services) and ConsoleConfig (the web console's
 * server) extend it, so each variable is declared once and is one row of the configuration table.
 */
export abstract class ProcessConfig {
  @EnvVar({
    name: 'HOST',
    description:
      'Address the HTTP API listens on. The default keeps a development machine private; ' +
      'containers set `0.0.0.0`.',
    example: '0.0.0.0',
  })
  @ListenHostVar()
  host = '127.0.0.1';

  @EnvVar({ name: 'LOG_LEVEL', description: 'Least severe level written.', example: 'debug' })
  @OneOfVar(LOG_LEVELS)
  logLevel: LogLevel = 'info';

  @EnvVar({
    name: 'SHUTDOWN_TIMEOUT_MS',
    description:
      'On SIGTERM/SIGINT, time allowed to drain HTTP (and, in a service, stop Kafka consumers and ' +
      'close the pool) before the process exits anyway (with code 1).',
    example: '15000',
  })
  @IntegerVar(100, 600_000)
  shutdownTimeoutMs = 10_000;
}
