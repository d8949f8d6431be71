import { ChildProcess, fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { EmbeddedChildMessage } from './embedded-child';

const ROOT = resolve(__dirname, '../../../../..');

export interface EmbeddedProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the child logged through its EmbeddedLogger, in order. */
  readonly logs: Array<Extract<EmbeddedChildMessage, { kind: 'log' }>>;
  /** Asks the child to close() and waits for it to exit. */
  close(): Promise<void>;
  /** SIGKILL: no close(), the lock file stays behind. */
  kill(): Promise<void>;
}

/** A start that failed in the child; `code` is the PlafondError code (EMBEDDED.DATA_DIR_LOCKED). */
export class EmbeddedStartFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((done) => child.once('exit', () => done()));
}

/**
 * Starts EmbeddedPostgres in a child process (see embedded-child.ts for why). Resolves when it
 * serves, rejects with an EmbeddedStartFailure when its start fails.
 */
export function startEmbeddedProcess(
  dataDir: string,
  ownershipWarningMs = 5_000,
): Promise<EmbeddedProcess> {
  const child = fork(join(__dirname, 'embedded-child.ts'), [dataDir, String(ownershipWarningMs)], {
    cwd: ROOT,
    execArgv: ['--require', join(ROOT, 'bench/swc-register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const logs: Array<Extract<EmbeddedChildMessage, { kind: 'log' }>> = [];
  return new Promise((ready, fail) => {
    child.once('exit', (code, signal) =>
      fail(new EmbeddedStartFailure(`embedded child exited (${code ?? signal}) before it served`)),
    );
    child.on('message', (message: EmbeddedChildMessage) => {
      if (message.kind === 'log') logs.push(message);
      if (message.kind === 'failed') fail(new EmbeddedStartFailure(message.message, message.code));
      if (message.kind !== 'ready') return;
      ready({
        url: message.url,
        port: message.port,
        pid: child.pid ?? 0,
        logs,
        close: async () => {
          const gone = exited(child);
          child.send('close');
          await gone;
        },
        kill: async () => {
          const gone = exited(child);
          child.kill('SIGKILL');
          await gone;
        },
      });
    });
  });
}
