// The one way the console talks to the services: through the console server's same-origin
// proxy, `/api/<service>/<path>` (contracts D), with the key the session holds for that service.
import { getKey } from './keys';

export type Service = 'allocation' | 'ingestion' | 'billing';
export const SERVICES: readonly Service[] = ['allocation', 'ingestion', 'billing'];
export const SERVICE_LABELS: Record<Service, string> = {
  allocation: 'Allocation',
  ingestion: 'Ingestion',
  billing: 'Billing',
};

/** An error answered by a service (its `{ code, message, details }`) or met on the way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiInit {
  method?: string;
  /** JSON-serialised when not a string. */
  body?: unknown;
  /** Use this key instead of the session's key for the service (sign-in probes). */
  key?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export function apiUrl(service: Service, path: string): string {
  return `/api/${service}${path.startsWith('/') ? path : `/${path}`}`;
}

async function send(service: Service, path: string, init: ApiInit, accept: string) {
  const headers: Record<string, string> = { Accept: accept, ...init.headers };
  const key = init.key ?? getKey(service);
  if (key) headers.Authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(service, path), {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: init.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'CONSOLE.NETWORK',
      `The console server could not be reached (${String(error)}).`,
      { service },
    );
  }
  if (!response.ok) throw await toApiError(response, service);
  return response;
}

/** Reads an error response into an ApiError, whatever its body. */
export async function toApiError(response: Response, service: Service): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { code?: unknown; message?: unknown; details?: unknown };
    if (parsed && typeof parsed.code === 'string') {
      const message = Array.isArray(parsed.message)
        ? parsed.message.map(String).join('; ')
        : typeof parsed.message === 'string'
          ? parsed.message
          : parsed.code;
      return new ApiError(response.status, parsed.code, message, parsed.details ?? null);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(
    response.status,
    `HTTP.${response.status}`,
    text.trim().slice(0, 200) || `${service} answered ${response.status} ${response.statusText}`,
    { service },
  );
}

/** JSON call: resolves to the parsed body, throws ApiError on any non-2xx answer. */
export async function api<T>(service: Service, path: string, init: ApiInit = {}): Promise<T> {
  const response = await send(service, path, init, 'application/json');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Download {
  blob: Blob;
  /** From Content-Disposition when the service names one. */
  filename: string | null;
  contentType: string;
}

/** Binary/text download (CSV): the body as a Blob with the server's file name. */
export async function apiDownload(
  service: Service,
  path: string,
  init: ApiInit = {},
  accept = '*/*',
): Promise<Download> {
  const response = await send(service, path, init, accept);
  return {
    blob: await response.blob(),
    filename: filenameOf(response.headers.get('Content-Disposition')),
    contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
  };
}

/**
 * The file name a Content-Disposition names (`filename*=UTF-8''…` first, then `filename=`),
 * made safe to save: no path separators or control characters; null when there is none.
 */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1] !== undefined) {
    try {
      return safeFilename(decodeURIComponent(star[1].trim()));
    } catch {
      // a malformed escape: fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  return name === undefined ? null : safeFilename(name);
}

function safeFilename(name: string): string | null {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[/\\\u0000-\u001f]/g, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? null : clean;
}

/** Saves a Blob as a file in the browser (an <a download> click). */
export function saveBlob(download: Download, fallbackName: string): void {
  const url = URL.createObjectURL(download.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = download.filename ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `?a=1&b=2` from the defined entries (empty string when none). */
export function query(params: Record<string, string | number | boolean | null | undefined>) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
