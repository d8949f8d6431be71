// Client routes live in the hash (`#/organisation?budget=b-1`) so the console server only ever
// serves index.html. No router package.
import { useCallback, useEffect, useState } from 'react';

export interface HashRoute {
  /** `/organisation` */
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): HashRoute {
  const body = hash.replace(/^#/, '');
  const [path = '', search = ''] = body.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(search) };
}

export function hashOf(path: string, params?: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function useHashRoute(): HashRoute & {
  navigate: (path: string, params?: Record<string, string | undefined>) => void;
  /** Replaces the params of the current route without a history entry. */
  setParams: (params: Record<string, string | undefined>) => void;
} {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = useCallback((path: string, params?: Record<string, string | undefined>) => {
    window.location.hash = hashOf(path, params);
  }, []);
  const setParams = useCallback((params: Record<string, string | undefined>) => {
    const current = parseHash(window.location.hash);
    const merged: Record<string, string | undefined> = Object.fromEntries(current.params);
    Object.assign(merged, params);
    const next = hashOf(current.path, merged);
    window.history.replaceState(null, '', next);
    setRoute(parseHash(next));
  }, []);
  return { ...route, navigate, setParams };
}

/** One query parameter of the current hash route, kept in the URL (deep links, reloads). */
export function useHashParam(
  name: string,
): [string | undefined, (value: string | undefined) => void] {
  const route = useHashRoute();
  const value = route.params.get(name) ?? undefined;
  const { setParams } = route;
  const set = useCallback(
    (next: string | undefined) => setParams({ [name]: next }),
    [name, setParams],
  );
  return [value, set];
}
