// A small HTTP client for the system tests: what a user's script would do with fetch, keeping
// the status, the parsed body and the raw text so a failed assertion shows the whole answer.

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface Api {
  readonly baseUrl: string;
  get<T = unknown>(path: string): Promise<Answer<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<Answer<T>>;
  put<T = unknown>(path: string, body: unknown): Promise<Answer<T>>;
}

/** Bounds one request: a hung service fails the step instead of the whole Jest timeout. */
const REQUEST_TIMEOUT_MS = 30_000;

export function api(baseUrl: string, key: string): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return {
      status: response.status,
      body: (isJson && text !== '' ? JSON.parse(text) : text) as T,
      text,
      headers: response.headers,
    };
  };
  return {
    baseUrl,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

/** `[status, body]` of an answer, for assertions that show the body when the status is wrong. */
export const outcome = (answer: Answer): [number, unknown] => [answer.status, answer.body];
