// A small JSON client over the services' public HTTP APIs (Node's fetch), shared by the demo seed
// and the traffic simulator. Only what a real client can do: no database, no internal module.

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Error body of every Plafond service: `{ code, message, details }`. */
export interface ApiErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly details?: unknown;
}

/** A non-2xx answer, naming the step that made the call. */
export class ApiCallError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly apiMessage: string | undefined,
  ) {
    super(
      `${step}: HTTP ${status} ${code ?? '(no error code)'}${apiMessage === undefined ? '' : `: ${apiMessage}`}`,
    );
    this.name = 'ApiCallError';
  }
}

/** What a non-JSON or empty answer reads as. */
function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function errorBody(body: unknown): ApiErrorBody {
  if (body === null || typeof body !== 'object') return {};
  const { code, message, details } = body as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(details === undefined ? {} : { details }),
  };
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Any answer, 2xx or not; throws only when the service cannot be reached. */
  async send<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { status: response.status, body: parseBody(await response.text()) as T };
  }

  /** A 2xx answer's body; any other status throws ApiCallError naming `step`. */
  async call<T = unknown>(step: string, method: string, path: string, body?: unknown): Promise<T> {
    let answer: ApiAnswer;
    try {
      answer = await this.send(method, path, body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${step}: ${method} ${this.baseUrl}${path} failed: ${reason}`);
    }
    if (answer.status < 200 || answer.status > 299) {
      const { code, message } = errorBody(answer.body);
      throw new ApiCallError(step, answer.status, code, message);
    }
    return answer.body as T;
  }
}

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`. */
export async function pollUntil<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? `; last error: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
