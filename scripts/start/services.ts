// The three services as child processes of `npm start`: spawned, awaited on /health/ready, stopped.
import { formatLogLineForHumans } from '@plafond/platform';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { repositoryRoot, say } from './infrastructure';
import { ServiceSettings } from './settings';

const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 500;
/** Beyond the services' own SHUTDOWN_TIMEOUT_MS, after which they are killed. */
const STOP_TIMEOUT_MS = 30_000;
/** SIGKILL is asynchronous too; exit only once the ports are released. */
const KILL_WAIT_MS = 5000;

export interface Running {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited; `exit` is set just before. */
  readonly exited: Promise<void>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

/** Thrown where start-up stops because a stop was asked for (a signal, or a service died). */
export class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

function pipeWithPrefix(stream: NodeJS.ReadableStream | null, prefix: string, pretty: boolean) {
  if (stream === null) return;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    process.stdout.write(`${prefix} ${pretty ? formatLogLineForHumans(line) : line}\n`);
  });
}

/**
 * Own process group (detached): a terminal's Ctrl-C reaches this script only, which stops each
 * service once. The IPC channel ties the service's life to this script: when it dies, however
 * it dies, the channel closes and the service stops itself (see bootstrapService).
 */
export function spawnService(service: ServiceSettings): Running {
  const entry = join(
    repositoryRoot,
    service.entry ?? join('dist', 'apps', service.name, 'src', 'main.js'),
  );
  const child = spawn(process.execPath, [entry], {
    cwd: repositoryRoot,
    env: service.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const prefix = `[${service.name}]`.padEnd(13);
  const pretty = process.stdout.isTTY === true;
  pipeWithPrefix(child.stdout, prefix, pretty);
  pipeWithPrefix(child.stderr, prefix, pretty);
  const running: { -readonly [K in keyof Running]: Running[K] } = {
    name: service.name,
    port: service.port,
    child,
    exited: new Promise<void>((done) => {
      child.once('exit', (code, signal) => {
        running.exit = { code, signal };
        done();
      });
    }),
  };
  return running;
}

export async function waitUntilReady(service: Running, host: string, halt: AbortSignal) {
  const url = `http://${host}:${service.port}/health/ready`;
  const attempts = Math.ceil(READY_TIMEOUT_MS / READY_POLL_MS);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (halt.aborted || service.exit !== undefined) throw new StopRequested();
    try {
      const response = await fetch(url, {
        signal: AbortSignal.any([halt, AbortSignal.timeout(3000)]),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet, or halted (checked above on the next turn).
    }
    await sleep(READY_POLL_MS, undefined, { signal: halt }).catch(() => undefined);
  }
  throw new Error(`${service.name} not ready at ${url} within ${READY_TIMEOUT_MS} ms`);
}

async function within(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  const timer = new AbortController();
  const timeout = sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false);
  const outcome = await Promise.race([promise.then(() => true), timeout]);
  timer.abort();
  return outcome;
}

/** SIGTERM to each, bounded; true when every service stopped by itself with exit code 0. */
export async function stopServices(running: readonly Running[]): Promise<boolean> {
  for (const service of running) if (service.exit === undefined) service.child.kill('SIGTERM');
  const all = Promise.all(running.map((service) => service.exited));
  if (await within(all, STOP_TIMEOUT_MS)) {
    return running.every((service) => service.exit?.code === 0);
  }
  for (const service of running.filter((candidate) => candidate.exit === undefined)) {
    say(`${service.name} did not stop within ${STOP_TIMEOUT_MS} ms, killing it`);
    service.child.kill('SIGKILL');
  }
  await within(all, KILL_WAIT_MS);
  return false;
}
