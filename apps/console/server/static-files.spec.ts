import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMMUTABLE_CACHE, pathSegments, resolveStatic, REVALIDATE_CACHE } from './static-files';

describe('resolveStatic', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'plafond-console-static-'));
    mkdirSync(join(root, 'assets'));
    mkdirSync(join(root, '.vite'));
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), '');
    writeFileSync(join(root, 'assets', 'index-abc123.css'), '');
    writeFileSync(join(root, 'favicon.svg'), '');
    writeFileSync(join(root, '.vite', 'manifest.json'), '{}');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves hashed assets immutable and other files revalidated, with their types', () => {
    expect(resolveStatic(root, '/assets/index-abc123.js')).toEqual({
      kind: 'file',
      path: join(root, 'assets', 'index-abc123.js'),
      type: 'text/javascript; charset=utf-8',
      cache: IMMUTABLE_CACHE,
    });
    expect(resolveStatic(root, '/assets/index-abc123.css')).toMatchObject({
      type: 'text/css; charset=utf-8',
    });
    expect(resolveStatic(root, '/favicon.svg')).toMatchObject({
      type: 'image/svg+xml',
      cache: REVALIDATE_CACHE,
    });
  });

  it('answers index.html for the root, for index.html itself and for any extension-less path', () => {
    for (const path of ['/', '', '/index.html', '/organisation', '/a/b/c', '/assets']) {
      expect({ path, target: resolveStatic(root, path) }).toEqual({
        path,
        target: { kind: 'index' },
      });
    }
  });

  it('answers 404 for a missing file and never serves dot-files', () => {
    expect(resolveStatic(root, '/assets/gone-000.js')).toEqual({ kind: 'missing' });
    expect(resolveStatic(root, '/.vite/manifest.json')).toEqual({ kind: 'missing' });
  });

  it('does not follow a symlink out of the built files, but serves one that stays inside', () => {
    const outside = mkdtempSync(join(tmpdir(), 'plafond-console-outside-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 'secret');
      symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
      symlinkSync(outside, join(root, 'elsewhere'));
      symlinkSync(join(root, 'favicon.svg'), join(root, 'icon.svg'));
      expect(resolveStatic(root, '/leak.txt')).toEqual({ kind: 'missing' });
      expect(resolveStatic(root, '/elsewhere/secret.txt')).toEqual({ kind: 'missing' });
      expect(resolveStatic(root, '/icon.svg')).toMatchObject({
        kind: 'file',
        type: 'image/svg+xml',
      });
    } finally {
      for (const link of ['leak.txt', 'elsewhere', 'icon.svg'])
        rmSync(join(root, link), { force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it.each([
    '/../package.json',
    '/assets/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2F..%2Fetc%2Fpasswd',
    '/..%5Cwindows',
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('refuses %s without touching the disk', (path) => {
    expect(resolveStatic(root, path)).toMatchObject({ kind: 'refused' });
  });
});

describe('pathSegments', () => {
  it('drops empty and `.` segments and decodes once', () => {
    expect(pathSegments('//assets/./a%20b.js')).toEqual(['assets', 'a b.js']);
    // Decoded once: %252e stays the literal text "%2e", a file name, not a climb.
    expect(pathSegments('/%252e%252e/x')).toEqual(['%2e%2e', 'x']);
  });
});
