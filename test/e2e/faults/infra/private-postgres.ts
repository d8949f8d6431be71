// A throwaway PostgreSQL cluster of the fault suite's own, so that it can be restarted (or
// crashed) mid-stream without touching the shared server every other suite relies on:
// initdb into a temporary directory, pg_ctl on a free loopback port, trust authentication.
// initdb refuses to run as root, so as root (CI) every server command runs as the `postgres`
// OS user through runuser, and the directory is handed to that user first.
import { freePort } from '@plafond/testing';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fileTail, pidFromFile, runChecked, runCommand, tieToTestProcess } from './command';

const INITDB_TIMEOUT_MS = 120_000;
/** pg_ctl's own wait (-t) for start and stop; crash recovery after an immediate stop included. */
const PG_CTL_WAIT_SECONDS = 60;
const PG_CTL_SLACK_MS = 15_000;
const SERVER_USER = 'postgres';

/**
 * fast: the server's planned restart (sessions terminated, checkpoint written).
 * immediate: its crash (every process quits at once; the next start replays the WAL).
 */
export type StopMode = 'fast' | 'immediate';

export interface PrivatePostgres {
  /** A superuser URL on the `postgres` maintenance database, like the shared DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  readonly directory: string;
  /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  /** stop(mode) then start(). */
  restart(mode?: StopMode): Promise<void>;
  /** The postmaster's pid while it runs. */
  pid(): number | undefined;
  /** The last lines of the server log, for a failure message. */
  logTail(lines?: number): string;
  /** Stops the server (immediate) if it runs and deletes the cluster. Safe to call twice. */
  dispose(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: pg_config's answer, else the newest Debian layout. */
async function findBinDir(): Promise<string> {
  const tried: string[] = [];
  const found = await runCommand('pg_config', ['--bindir'], { timeoutMs: 10_000 }).catch(
    () => undefined,
  );
  const fromPgConfig = found?.code === 0 ? found.output.trim() : undefined;
  if (fromPgConfig !== undefined) {
    if (existsSync(join(fromPgConfig, 'initdb'))) return fromPgConfig;
    tried.push(fromPgConfig);
  }
  const debianRoot = '/usr/lib/postgresql';
  const versions = existsSync(debianRoot)
    ? (await readdir(debianRoot)).filter((name) => /^\d+$/.test(name))
    : [];
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const candidate = join(debianRoot, version, 'bin');
    if (existsSync(join(candidate, 'initdb'))) return candidate;
    tried.push(candidate);
  }
  throw new Error(
    `no PostgreSQL server binaries (initdb, pg_ctl) found; tried pg_config --bindir and ${
      tried.join(', ') || debianRoot
    }. Install the server package (apt-get install postgresql).`,
  );
}

/** uid and gid of the OS user the server runs as, when we are root; undefined otherwise. */
async function serverOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async (flag: string) => {
    const output = await runChecked('id', [flag, SERVER_USER], { timeoutMs: 10_000 }).catch(
      (error: Error) => {
        throw new Error(
          `running as root, the private PostgreSQL needs the '${SERVER_USER}' OS user (initdb refuses root): ${error.message}`,
        );
      },
    );
    return Number(output.trim());
  };
  return { uid: await ids('-u'), gid: await ids('-g') };
}

/** Creates, starts and returns a fresh cluster; `label` names its directory. */
export async function startPrivatePostgres(label: string): Promise<PrivatePostgres> {
  const binDir = await findBinDir();
  const owner = await serverOwner();
  const directory = await mkdtemp(join(tmpdir(), `plafond-pg-${label}-`));
  const dataDir = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  const port = await freePort();

  // As root, every server command runs as the postgres user; runuser keeps our environment.
  // cwd: our own directory, which that user can enter (the repository may not be readable).
  const asServer = (command: string, args: readonly string[], timeoutMs: number) =>
    owner === undefined
      ? runChecked(join(binDir, command), args, { timeoutMs, cwd: directory })
      : runChecked('runuser', ['-u', SERVER_USER, '--', join(binDir, command), ...args], {
          timeoutMs,
          cwd: directory,
        });
  const pgCtl = (args: readonly string[]) =>
    asServer(
      'pg_ctl',
      ['-D', dataDir, '-w', '-t', String(PG_CTL_WAIT_SECONDS), ...args],
      PG_CTL_WAIT_SECONDS * 1000 + PG_CTL_SLACK_MS,
    );

  const pid = () => pidFromFile(join(dataDir, 'postmaster.pid'));
  const logTail = (lines = 40) => fileTail(logFile, lines, '(no server log yet)');
  const withLog = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new Error(
        `private PostgreSQL ${what} failed: ${(error as Error).message}\nserver log:\n${logTail()}`,
        { cause: error },
      );
    }
  };
  const stop = (mode: StopMode = 'fast') =>
    withLog(`stop (${mode})`, async () => {
      if (pid() === undefined) return;
      await pgCtl(['-m', mode, 'stop']);
    });
  const start = () =>
    withLog('start', async () => {
      // -k: the Unix socket goes into our directory, never next to the shared server's in
      // /var/run/postgresql; listen_addresses: loopback only, like everything the tests touch.
      const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1`;
      await pgCtl(['-l', logFile, '-o', options, 'start']);
    });
  // The postmaster is a daemon: SIGQUIT (immediate shutdown) takes it down with the test process
  // even if dispose is not reached.
  const dispose = tieToTestProcess({
    pid,
    exitSignal: 'SIGQUIT',
    directory,
    shutDown: () =>
      stop('immediate').catch(() => {
        const running = pid();
        if (running !== undefined) process.kill(running, 'SIGKILL');
      }),
  });

  const handle: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    directory,
    start,
    stop,
    restart: async (mode: StopMode = 'fast') => {
      await stop(mode);
      await start();
    },
    pid,
    logTail,
    dispose,
  };
  try {
    if (owner !== undefined) await chown(directory, owner.uid, owner.gid);
    await withLog('initdb', () =>
      // Trust on loopback (the tests' URLs carry no password), a superuser named postgres like
      // the shared server's, and no fsync of the new files: a throwaway cluster.
      asServer(
        'initdb',
        [
          '-D',
          dataDir,
          '--username=postgres',
          '--auth=trust',
          '--encoding=UTF8',
          '--no-locale',
          '--no-sync',
        ],
        INITDB_TIMEOUT_MS,
      ),
    );
    await start();
  } catch (error) {
    await handle.dispose();
    throw error;
  }
  return handle;
}
