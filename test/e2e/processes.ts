// Spawns built entry points (dist/) as real processes for the e2e tests and keeps their output.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const repositoryRoot = join(__dirname, '..', '..');

export const SERVICE_NAMES = ['allocation', 'ingestion', 'billing'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<Exit>;
  /** stdout lines parsed as JSON; throws on the first line that is not a JSON object. */
  jsonLines(): Record<string, unknown>[];
}

/** The absolute path of a built file; a missing build fails the test with what to run. */
export function builtFile(relativePath: string): string {
  const path = join(repositoryRoot, relativePath);
  if (!existsSync(path)) {
    throw new Error(
      `${relativePath} is missing: run \`npm run build\` first (\`npm test\` does it)`,
    );
  }
  return path;
}

export const serviceEntryPoint = (service: ServiceName): string =>
  builtFile(join('dist', 'apps', service, 'src', 'main.js'));

/** Only what a service needs from the parent: it must not pick up the test runner's settings. */
export function baseEnvironment(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, NODE_ENV: 'test' };
}

export function startProcess(script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, [script], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  if (child.stdout !== null)
    createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
  if (child.stderr !== null)
    createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout,
    stderr,
    exited,
    jsonLines: () =>
      stdout.map((line, index) => {
        const parsed: unknown = JSON.parse(line);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error(`stdout line ${index + 1} is not a JSON object: ${line}`);
        }
        return parsed as Record<string, unknown>;
      }),
  };
}

/** Waits for the exit; past `timeoutMs` the process is killed and the test fails with its output. */
export async function exitWithin(running: RunningProcess, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([running.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    running.child.kill('SIGKILL');
    await running.exited;
    const tail = [...running.stdout, ...running.stderr].slice(-20).join('\n');
    throw new Error(`process did not exit within ${timeoutMs} ms; last output:\n${tail}`);
  }
  return outcome;
}

/** Neither exited nor killed by a signal yet. */
export const isAlive = (running: RunningProcess): boolean =>
  running.child.exitCode === null && running.child.signalCode === null;

/** Stops what a failed test left running. */
export async function killIfRunning(running: RunningProcess | undefined): Promise<void> {
  if (running === undefined || !isAlive(running)) return;
  running.child.kill('SIGKILL');
  await running.exited;
}

export async function runToCompletion(script: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  const running = startProcess(script, env);
  const exit = await exitWithin(running, timeoutMs);
  return { ...exit, stdout: running.stdout, stderr: running.stderr, jsonLines: running.jsonLines };
}
