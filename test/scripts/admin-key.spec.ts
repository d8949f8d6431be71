// The admin key `npm start` generates when ADMIN_API_KEY is not set: a secret kept in the data
// directory (embedded) or .run/ (distributed), readable by its owner only.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedAdminKey } from '../../scripts/start/admin-key';

describe('storedAdminKey', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'plafond-admin-key-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('creates the key once, owner-only (file 0600 in a new directory 0700), then reads it back', () => {
    const file = join(root, 'data', 'admin-api-key');
    const first = storedAdminKey(file);
    expect(first.created).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(join(root, 'data'))).toBe(0o700);
    expect(storedAdminKey(file)).toEqual({ key: first.key, created: false });
  });

  it('narrows a key file left readable by others to 0600, keeping the key', () => {
    const file = join(root, 'admin-api-key');
    const { key } = storedAdminKey(file);
    chmodSync(file, 0o644);
    expect(storedAdminKey(file)).toEqual({ key, created: false });
    expect(modeOf(file)).toBe(0o600);
  });

  it('replaces a damaged file with a new key, still 0600', () => {
    const file = join(root, 'admin-api-key');
    writeFileSync(file, 'not a key\n', { mode: 0o644 });
    const replaced = storedAdminKey(file);
    expect(replaced.created).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(replaced.key);
    expect(modeOf(file)).toBe(0o600);
  });
});
