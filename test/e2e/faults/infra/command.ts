// Runs an infrastructure command (scripts/kafka.sh, initdb, pg_ctl) without blocking the event
// loop: the fault suites keep driving traffic while a broker or database restarts, so spawnSync
// would freeze the very stream the fault is meant to hit. Also what the private broker and the
// private PostgreSQL share as daemons: their pid file, their log's tail, their exit hook.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Past it the command is SIGKILLed and the call fails with its output. */
  readonly timeoutMs: number;
}

const OUTPUT_TAIL_LINES = 40;

const tail = (output: string) => output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');

/** Resolves with the exit and output (stdout and stderr interleaved) of a command. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${file} ${args.join(' ')} did not finish within ${options.timeoutMs} ms:\n${tail(output)}`,
        ),
      );
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${file} could not be started: ${error.message}`));
    });
    // 'close', not 'exit': the output pipes are drained by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Like runCommand, but a non-zero exit fails with what the command said. */
export async function runChecked(
  file: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<string> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    const how = result.signal === null ? `exit ${String(result.code)}` : `signal ${result.signal}`;
    throw new Error(`${file} ${args.join(' ')} failed (${how}):\n${tail(result.output)}`);
  }
  return result.output;
}

/**
 * True while a process with this pid runs (it need not be our child). A zombie counts as gone:
 * the brokers and postmasters we start are daemons reparented to init, whose reaping we do not
 * control, and a zombie holds neither ports nor files.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user (the postgres OS user, say).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    // No /proc (not Linux) or it vanished in between: trust the signal probe.
    return existsSync(`/proc/${pid}`) || !existsSync('/proc');
  }
}

/** Polls until the process is gone; fails past the bound. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid on the first line of a daemon's pid file, while that process runs; else undefined. */
export function pidFromFile(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
    return Number.isSafeInteger(value) && value > 0 && processAlive(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a log file, for a failure message; `missing` when there is none yet. */
export function fileTail(file: string, lines: number, missing: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return missing;
  }
}

export interface DaemonCleanup {
  /** The daemon's pid while it runs. */
  readonly pid: () => number | undefined;
  /** Sent by the exit hook: what takes the daemon down at once without our help. */
  readonly exitSignal: NodeJS.Signals;
  /** Everything of the daemon's on disk, deleted last. */
  readonly directory: string;
  /** The orderly end dispose runs first (a stop or a kill, bounded). */
  readonly shutDown: () => Promise<void>;
}

/**
 * Ties a daemon we start (a broker, a postmaster) to the test process. It is not our child, so if
 * the test process dies without reaching dispose, an exit hook still signals it and deletes its
 * directory. Returns dispose: the orderly shut-down, then the directory; safe to call twice.
 */
export function tieToTestProcess(daemon: DaemonCleanup): () => Promise<void> {
  const onExit = () => {
    const running = daemon.pid();
    if (running !== undefined) process.kill(running, daemon.exitSignal);
    rmSync(daemon.directory, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let disposed = false;
  return async () => {
    if (disposed) return;
    disposed = true;
    process.removeListener('exit', onExit);
    await daemon.shutDown();
    await rm(daemon.directory, { recursive: true, force: true });
  };
}
