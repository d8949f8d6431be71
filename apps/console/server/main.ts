// The console as its own process (`node dist/apps/console/server/main.js`): the production
// container's entry point, and what `npm run start:distributed` spawns. `npm start`'s embedded
// host runs the same ConsoleServer in its own process instead.
import {
  describeConfigValues,
  installCrashHandlers,
  JsonLogger,
  loadConfig,
} from '@plafond/platform';
import { ConsoleConfig } from './config';
import { ConsoleServer } from './console-server';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

async function main(): Promise<number | undefined> {
  let config: ConsoleConfig;
  try {
    config = loadConfig(ConsoleConfig, process.env);
  } catch (error) {
    process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const logger = new JsonLogger({ service: 'console', level: config.logLevel });
  installCrashHandlers(logger);
  logger.write('info', 'configuration loaded', describeConfigValues(config), 'Bootstrap');
  const server = new ConsoleServer(config, logger);
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.write('info', `stopping (${why})`, {}, 'Shutdown');
    void server.stop().then((drained) => {
      if (drained) logger.write('info', 'shutdown complete', {}, 'Shutdown');
      process.exit(drained ? 0 : 1);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  // Started by `npm run start:distributed` with an IPC channel: its end is a stop too.
  if (process.connected === true) process.once('disconnect', () => stop('parent process gone'));
  try {
    await server.listen();
  } catch (error) {
    logger.write('fatal', 'start failed', { err: error }, 'Bootstrap');
    return 1;
  }
  return undefined;
}

void main().then((code) => {
  if (code !== undefined) process.exit(code);
});
