// A small keep-alive HTTP load driver (node:http only, no package): N concurrent clients, each
// sending its next request when the previous answer is in (closed loop), or requests started on
// a fixed schedule (open loop, for latency at a given rate). Every contender of the system bench
// is driven by this same tool, so the HTTP client's own cost is the same for all of them.
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface HttpTarget {
  readonly agent: http.Agent;
  readonly host: string;
  readonly port: number;
  readonly headers: Record<string, string>;
}

export function httpTarget(
  baseUrl: string,
  maxSockets: number,
  headers: Record<string, string> = {},
): HttpTarget {
  const url = new URL(baseUrl);
  return {
    // A free socket idle for 4 s is closed on this side first: Node servers close theirs after 5 s
    // (keepAliveTimeout), and reusing one the server is closing at that moment is ECONNRESET.
    agent: new http.Agent({
      keepAlive: true,
      maxSockets,
      maxFreeSockets: maxSockets,
      timeout: 4_000,
    }),
    host: url.hostname,
    port: Number(url.port),
    headers,
  };
}

/** One request; the body is JSON-encoded when given. Never rejects on an HTTP status. */
export function send(
  target: HttpTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent: target.agent,
        host: target.host,
        port: target.port,
        method,
        path,
        headers: {
          ...target.headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': payload.length }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: response.headers,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export interface ClosedLoopOutcome {
  /** Iterations that `step` counted as done, per second of the run. */
  ratePerSecond: number;
  done: number;
  /** Iterations `step` did not count (a refusal, an error), by what it returned. */
  other: Record<string, number>;
  latenciesMs: number[];
  seconds: number;
}

/**
 * `clients` loops run `step` until `durationMs` has passed; `step` returns 'done' for an
 * iteration that counts, anything else is tallied apart. Latency is the whole step's.
 */
export async function closedLoop(
  clients: number,
  durationMs: number,
  step: (client: number, iteration: number) => Promise<string>,
): Promise<ClosedLoopOutcome> {
  const started = performance.now();
  const deadline = started + durationMs;
  let done = 0;
  const other: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const loop = async (client: number) => {
    for (let iteration = 0; performance.now() < deadline; iteration += 1) {
      const begin = performance.now();
      let outcome: string;
      try {
        outcome = await step(client, iteration);
      } catch (error) {
        outcome = `error: ${error instanceof Error ? error.message : String(error)}`;
      }
      latenciesMs.push(performance.now() - begin);
      if (outcome === 'done') done += 1;
      else other[outcome] = (other[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, client) => loop(client)));
  const seconds = (performance.now() - started) / 1000;
  return { ratePerSecond: done / seconds, done, other, latenciesMs, seconds };
}

/** Starts `step` every 1000/rate ms for `durationMs`, whatever the answers; latency per request. */
export async function openLoop(
  ratePerSecond: number,
  durationMs: number,
  step: (index: number) => Promise<string>,
): Promise<{ latenciesMs: number[]; outcomes: Record<string, number> }> {
  const count = Math.round((ratePerSecond * durationMs) / 1000);
  const started = performance.now();
  const latenciesMs: number[] = [];
  const outcomes: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Latency from the scheduled start: a late start (the driver or the host busy) counts
    // against the server, which avoids coordinated omission.
    pending.push(
      step(index).then(
        (outcome) => {
          latenciesMs.push(performance.now() - due);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        },
        () => {
          outcomes.error = (outcomes.error ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latenciesMs, outcomes };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
