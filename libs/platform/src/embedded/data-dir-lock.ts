import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PlafondError } from '../errors/plafond-error';

export const EmbeddedErrorCode = {
  dataDirLocked: 'EMBEDDED.DATA_DIR_LOCKED',
} as const;

export const LOCK_FILE_NAME = 'plafond.lock';

interface LockContent {
  readonly pid: number;
  readonly token: string;
  readonly hostname: string;
  readonly since: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** Lock files this process holds now: its own pid in any other lock file is a previous life's. */
const heldByThisProcess = new Set<string>();

/**
 * True when the lock's holder runs. Its pid may be ours after a kill -9 and a restart that reused
 * it — always so in a container, where the process is pid 1 each time: a lock naming this process
 * that this process did not take is stale.
 */
function holderRuns(holder: LockContent, path: string): boolean {
  if (holder.pid === process.pid) return heldByThisProcess.has(path);
  return isAlive(holder.pid);
}

/** True when a process with this id exists (EPERM: it exists but belongs to someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    return typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0
      ? (value as LockContent)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates `path` with `content` atomically: written aside, then hard-linked (fails if it exists). */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomUUID()}`;
  await writeFile(aside, content, { mode: 0o600 });
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

export interface LockObserver {
  onStaleLockTakenOver?(stale: { pid?: number; path: string }): void;
}

/**
 * One process at a time per data directory: PGlite itself locks nothing, and two processes
 * writing one PostgreSQL data directory corrupt it. A lock left by a process that no longer
 * runs (kill -9, crash) is taken over. The check is by process id on this machine; a data
 * directory shared over a network file system is not supported.
 */
export async function lockDataDir(
  dataDir: string,
  observer: LockObserver = {},
): Promise<DataDirLock> {
  // Owner only, as PostgreSQL wants its data directory: it holds every key's hash and all the data.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, LOCK_FILE_NAME);
  const mine: LockContent = {
    pid: process.pid,
    token: randomUUID(),
    hostname: hostname(),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(path, `${JSON.stringify(mine)}\n`)) {
      heldByThisProcess.add(path);
      return { path, release: () => releaseLock(path, mine.token) };
    }
    const text = await readIfExists(path);
    if (text === undefined) continue;
    const holder = parseLock(text);
    if (holder !== undefined && holderRuns(holder, path)) {
      throw new PlafondError(
        EmbeddedErrorCode.dataDirLocked,
        `the data directory ${dataDir} is in use by process ${holder.pid} (lock file ${path}); ` +
          'stop that process, or delete the lock file if that process is not Plafond',
        { dataDir, lockFile: path, pid: holder.pid, since: holder.since },
        409,
      );
    }
    // Stale: remove it only if it is still the file we read, then try again.
    if ((await readIfExists(path)) === text) await unlink(path).catch(() => undefined);
    observer.onStaleLockTakenOver?.({ pid: holder?.pid, path });
  }
  throw new PlafondError(
    EmbeddedErrorCode.dataDirLocked,
    `could not take the lock file ${path}: other processes keep taking it`,
    { dataDir, lockFile: path },
    409,
  );
}

async function releaseLock(path: string, token: string): Promise<void> {
  heldByThisProcess.delete(path);
  const text = await readIfExists(path);
  if (text !== undefined && parseLock(text)?.token === token) {
    await unlink(path).catch(() => undefined);
  }
}
