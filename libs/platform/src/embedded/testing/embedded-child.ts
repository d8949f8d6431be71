// EmbeddedPostgres in its own plain Node process, for the integration tests: PGlite's Emscripten
// loader calls import() at start, which Jest's module sandbox refuses (it would need
// --experimental-vm-modules), and a separate process also lets a test kill it for real (SIGKILL).
// Run through bench/swc-register.js; argv: <dataDir> <ownershipWarningMs>. Talks over IPC.
import { PlafondError } from '../../errors/plafond-error';
import { EmbeddedPostgres, RunningEmbeddedPostgres } from '../embedded-postgres';
import { EmbeddedLogger } from '../wire-multiplexer';

export type EmbeddedChildMessage =
  | {
      readonly kind: 'ready';
      readonly url: string;
      readonly port: number;
      readonly dataDir: string;
    }
  | { readonly kind: 'failed'; readonly code?: string; readonly message: string }
  | { readonly kind: 'log'; readonly level: 'log' | 'warn' | 'error'; readonly fields: object }
  | { readonly kind: 'closed' };

export type EmbeddedChildCommand = 'close';

function send(message: EmbeddedChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

const logger: EmbeddedLogger = {
  log: (fields) => void send({ kind: 'log', level: 'log', fields }),
  warn: (fields) => void send({ kind: 'log', level: 'warn', fields }),
  error: (fields) => void send({ kind: 'log', level: 'error', fields }),
};

async function main(): Promise<void> {
  const [dataDir, warningMs] = process.argv.slice(2);
  if (dataDir === undefined)
    throw new Error('usage: embedded-child <dataDir> [ownershipWarningMs]');
  let running: RunningEmbeddedPostgres;
  try {
    running = await EmbeddedPostgres.start({
      dataDir,
      logger,
      ...(warningMs !== undefined ? { ownershipWarningMs: Number(warningMs) } : {}),
    });
  } catch (error) {
    await send({
      kind: 'failed',
      ...(error instanceof PlafondError ? { code: error.code } : {}),
      message: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  }
  const stop = async (): Promise<void> => {
    await running.close();
    await send({ kind: 'closed' });
    process.exit(0);
  };
  process.on('message', (command: EmbeddedChildCommand) => {
    if (command === 'close') void stop();
  });
  process.on('disconnect', () => void stop());
  await send({ kind: 'ready', url: running.url, port: running.port, dataDir: running.dataDir });
}

void main();
