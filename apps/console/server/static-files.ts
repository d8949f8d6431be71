// Which file of the built SPA answers a path, with what type and caching. Pure path logic (plus
// one stat), so the traversal rules are unit-tested without a server.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite writes content-hashed names under assets/: a name never changes meaning. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: revalidated each time, so a new build shows at once. */
export const REVALIDATE_CACHE = 'no-cache';

export type StaticTarget =
  | { readonly kind: 'file'; readonly path: string; readonly type: string; readonly cache: string }
  /** Not a file: the SPA's index.html answers (client routes live in the hash). */
  | { readonly kind: 'index' }
  /** A missing file that is plainly a file (it has an extension): 404, not HTML in its place. */
  | { readonly kind: 'missing' }
  /** `..`, a backslash, NUL or bad percent-encoding: refused 400 without touching the disk. */
  | { readonly kind: 'refused'; readonly reason: string };

/** The URL path decoded into safe segments, or why it is refused. */
export function pathSegments(pathname: string): string[] | { refused: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { refused: 'the path is not valid percent-encoding' };
  }
  if (decoded.includes('\0')) return { refused: 'the path contains NUL' };
  if (decoded.includes('\\')) return { refused: 'the path contains a backslash' };
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { refused: 'the path climbs out with ..' };
  return segments;
}

/**
 * A regular file whose real path (symlinks followed) is still under the real root: a link in the
 * built files pointing elsewhere on the disk is treated as absent, never followed out.
 */
function isFileUnder(root: string, path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const realRoot = realpathSync(root);
    return realpathSync(path).startsWith(realRoot + sep);
  } catch {
    return false;
  }
}

/** `staticDir` absolute. Dot-files (e.g. .vite/) are never served. */
export function resolveStatic(staticDir: string, pathname: string): StaticTarget {
  const segments = pathSegments(pathname);
  if (!Array.isArray(segments)) return { kind: 'refused', reason: segments.refused };
  if (segments.length === 0) return { kind: 'index' };
  const root = resolve(staticDir);
  const path = resolve(join(root, ...segments));
  // Belt and braces after the `..` check: the resolved file stays under the root.
  if (!path.startsWith(root + sep)) return { kind: 'refused', reason: 'the path leaves the root' };
  const hidden = segments.some((segment) => segment.startsWith('.'));
  const extension = extname(segments[segments.length - 1] ?? '').toLowerCase();
  if (!hidden && isFileUnder(root, path)) {
    if (path === join(root, 'index.html')) return { kind: 'index' };
    const type = CONTENT_TYPES[extension] ?? 'application/octet-stream';
    const cache = segments[0] === 'assets' ? IMMUTABLE_CACHE : REVALIDATE_CACHE;
    return { kind: 'file', path, type, cache };
  }
  return extension === '' ? { kind: 'index' } : { kind: 'missing' };
}

export const indexFile = (staticDir: string): string => join(resolve(staticDir), 'index.html');
