import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedErrorCode, LOCK_FILE_NAME, lockDataDir } from './data-dir-lock';

describe('lockDataDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'plafond-lock-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the data directory for its owner only', async () => {
    const dataDir = join(root, 'data');
    const lock = await lockDataDir(dataDir);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    await lock.release();
  });

  it('refuses a second lock while this process holds it', async () => {
    const dataDir = join(root, 'data');
    const lock = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toMatchObject({
      code: EmbeddedErrorCode.dataDirLocked,
      details: { pid: process.pid },
    });
    await lock.release();
    const again = await lockDataDir(dataDir);
    await again.release();
  });

  it('takes over a lock naming this pid that this process never took (a restart after kill -9 reusing it, as pid 1 in a container)', async () => {
    const dataDir = join(root, 'data');
    await lockDataDir(dataDir).then((lock) => lock.release());
    const previousLife = { pid: process.pid, token: 'previous', since: '2026-01-01T00:00:00Z' };
    await writeFile(join(dataDir, LOCK_FILE_NAME), JSON.stringify(previousLife));
    const stale: unknown[] = [];
    const lock = await lockDataDir(dataDir, { onStaleLockTakenOver: (info) => stale.push(info) });
    expect(stale).toEqual([{ pid: process.pid, path: join(dataDir, LOCK_FILE_NAME) }]);
    expect(await readFile(join(dataDir, LOCK_FILE_NAME), 'utf8')).not.toContain('previous');
    await lock.release();
  });

  it('takes over a lock whose process no longer runs, and reports it', async () => {
    const dataDir = join(root, 'data');
    await lockDataDir(dataDir).then((lock) => lock.release());
    // Pids are below 2^22 on Linux: this one cannot run.
    await writeFile(join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid: 2 ** 30, token: 't' }));
    const stale: unknown[] = [];
    const lock = await lockDataDir(dataDir, { onStaleLockTakenOver: (info) => stale.push(info) });
    expect(stale).toEqual([{ pid: 2 ** 30, path: join(dataDir, LOCK_FILE_NAME) }]);
    await lock.release();
  });
});
