// The same-origin API proxy: `/api/<service>/<rest>` → `<service URL>/<rest>`. The SPA then
// never needs CORS, and the browser sends its key only to the console's own origin. Request
// bodies are read whole (bounded, as the services bound theirs); responses are streamed, so a
// CSV download or a slow verification passes through without being held in memory.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ConsoleService } from './config';

/** Forwarded to the service: credentials, content negotiation, tracing. Nothing else. */
export const FORWARDED_REQUEST_HEADERS = [
  'authorization',
  'x-api-key',
  'content-type',
  'accept',
  'x-correlation-id',
  'idempotency-key',
] as const;

/** Passed back to the browser; hop-by-hop and server-identifying headers are dropped. */
export const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'retry-after',
  'cache-control',
  'location',
  'x-correlation-id',
  'www-authenticate',
] as const;

/** Logged (never sent) when the browser closed the connection before the answer was complete. */
export const CLIENT_CLOSED = 499;

export interface ProxyError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export type BodyRead = { ok: true; body: Buffer } | { ok: false; error: ProxyError };

const clientClosed: ProxyError = {
  status: CLIENT_CLOSED,
  code: 'REQUEST.ABORTED',
  message: 'The browser closed the connection before its request was complete.',
  details: {},
};

/** The request body, or 413 REQUEST.TOO_LARGE as soon as it is known to exceed `limit`. */
export function readBody(incoming: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  const tooLarge: BodyRead = {
    ok: false,
    error: {
      status: 413,
      code: 'REQUEST.TOO_LARGE',
      message: `The request body is larger than ${limitBytes} bytes (CONSOLE_MAX_BODY_BYTES).`,
      details: { limitBytes },
    },
  };
  const declared = Number(incoming.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limitBytes) {
    incoming.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    incoming.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limitBytes) {
        refused = true;
        chunks.length = 0;
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    incoming.once('end', () => {
      if (!refused) resolve({ ok: true, body: Buffer.concat(chunks) });
    });
    // The browser left mid-body (an error, or a close before the end): nothing to answer.
    const aborted = () => {
      if (!incoming.complete) resolve({ ok: false, error: clientClosed });
    };
    incoming.once('error', aborted);
    incoming.once('close', aborted);
  });
}

/**
 * Where a proxied call goes: the base URL's host and port, its path prefix followed by the rest
 * of the console path, byte for byte. Concatenation, not URL resolution: a rest such as
 * `//elsewhere.example/x` stays a path on the configured service.
 */
export function upstreamTarget(baseUrl: string, rest: string) {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = `${prefix}${rest.startsWith('/') ? rest : `/${rest}`}`;
  return {
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port === '' ? (base.protocol === 'https:' ? 443 : 80) : Number(base.port),
    path,
  };
}

/**
 * Why a proxied path is refused, or undefined. `.` and `..` segments (also percent-encoded) are
 * refused rather than passed on: a browser never sends them (it resolves them itself), and a
 * service behind a path prefix must not be steered out of it.
 */
export function refusedProxyPath(rest: string): string | undefined {
  const queryAt = rest.indexOf('?');
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  for (const segment of path.split('/')) {
    if (/^(?:\.|%2e){1,2}$/i.test(segment)) return 'the path has a . or .. segment';
  }
  return undefined;
}

function forwardedRequestHeaders(incoming: IncomingMessage, bodyLength: number) {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (bodyLength > 0 || !['GET', 'HEAD'].includes(incoming.method ?? 'GET')) {
    headers['content-length'] = String(bodyLength);
  }
  return headers;
}

export interface ProxyCall {
  readonly service: ConsoleService;
  readonly baseUrl: string;
  /** The path after `/api/<service>`, query included. */
  readonly rest: string;
  readonly body: Buffer;
  readonly timeoutMs: number;
  /** Ends with the upstream status, or the console's own error when the service failed. */
  readonly onError: (error: ProxyError) => void;
}

/** Sends the call; resolves with the upstream status once the response is fully streamed. */
export function proxyCall(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  call: ProxyCall,
): Promise<number> {
  const target = upstreamTarget(call.baseUrl, call.rest);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const fail = (error: ProxyError) => {
      if (settled) return;
      settled = true;
      if (outgoing.headersSent) outgoing.destroy();
      else call.onError(error);
      resolve(error.status);
    };
    if (outgoing.destroyed) {
      // The browser left while its body was being read: nothing to forward.
      settled = true;
      resolve(CLIENT_CLOSED);
      return;
    }
    const upstream = send(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: incoming.method,
        headers: forwardedRequestHeaders(incoming, call.body.length),
        timeout: call.timeoutMs,
      },
      (response) => {
        // From here the same timeout bounds each silence of the body: a service that stalls
        // mid-download does not hold the browser (and a stop of the console) forever.
        upstream.setTimeout(call.timeoutMs);
        const headers: Record<string, string | string[]> = {};
        for (const name of FORWARDED_RESPONSE_HEADERS) {
          const value = response.headers[name];
          if (value !== undefined) headers[name] = value;
        }
        const status = response.statusCode ?? 502;
        outgoing.writeHead(status, headers);
        response.pipe(outgoing);
        response.once('end', () => {
          settled = true;
          resolve(status);
        });
        response.once('error', () => fail(unavailable(call.service, 'the response broke off')));
        response.once('close', () => {
          if (!response.complete) fail(unavailable(call.service, 'the response broke off'));
        });
      },
    );
    upstream.once('timeout', () => {
      upstream.destroy();
      fail({
        status: 504,
        code: 'CONSOLE.UPSTREAM_TIMEOUT',
        message: `The ${call.service} service did not answer within ${call.timeoutMs} ms.`,
        details: { service: call.service, timeoutMs: call.timeoutMs },
      });
    });
    upstream.once('error', (error) => fail(unavailable(call.service, error.message)));
    // The browser went away: stop the upstream call too.
    outgoing.once('close', () => {
      if (outgoing.writableFinished) return;
      const wasSettled = settled;
      settled = true;
      upstream.destroy();
      if (!wasSettled) resolve(CLIENT_CLOSED);
    });
    upstream.end(call.body);
  });
}

function unavailable(service: ConsoleService, cause: string): ProxyError {
  return {
    status: 502,
    code: 'CONSOLE.UPSTREAM_UNAVAILABLE',
    message: `The ${service} service is not reachable from the console (${cause}).`,
    details: { service },
  };
}
