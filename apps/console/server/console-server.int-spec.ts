// The proxy on the wire: a ConsoleServer in front of a local HTTP server standing for a service,
// so that what the services never do on purpose (stall mid-download, break off, see a client
// leave) can be played and what crosses the proxy in each direction observed byte for byte.
import { JsonLogger, loadConfig } from '@plafond/platform';
import { freePort } from '@plafond/testing';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleConfig } from './config';
import { ConsoleServer, type RunningConsole } from './console-server';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  closedEarly: boolean;
}

type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  broken: boolean;
}

function raw(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        const done = (broken: boolean) =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
            broken,
          });
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => done(false));
        response.once('error', () => done(true));
      },
    );
    req.once('error', reject);
    req.end(options.body);
  });
}

const waitFor = async (check: () => boolean, ms = 5000): Promise<void> => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
};

describe('ConsoleServer proxy on the wire', () => {
  let upstream: Server;
  let upstreamPort: number;
  let running: RunningConsole;
  let behaviour: Behaviour;
  const seen: Seen[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      const entry: Seen = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: '',
        closedEarly: false,
      };
      seen.push(entry);
      request.on('data', (chunk: Buffer) => (entry.body += chunk.toString()));
      response.once('close', () => (entry.closedEarly = !response.writableFinished));
      behaviour(request, response);
    });
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    upstreamPort = (upstream.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${upstreamPort}`;
    const config = loadConfig(ConsoleConfig, {
      CONSOLE_PORT: String(await freePort()),
      ALLOCATION_URL: base,
      BILLING_URL: base,
      INGESTION_URL: base,
      CONSOLE_UPSTREAM_TIMEOUT_MS: '400',
      CONSOLE_MAX_BODY_BYTES: '1000',
      CONSOLE_STATIC_DIR: '/nonexistent/console',
    });
    const logger = new JsonLogger({
      service: 'console',
      level: 'info',
      write: (line) => void logs.push(line),
    });
    running = await new ConsoleServer(config, logger).listen();
  });

  beforeEach(() => {
    seen.length = 0;
    behaviour = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    };
  });

  afterAll(async () => {
    await running?.stop();
    upstream?.closeAllConnections();
    await new Promise((done) => upstream?.close(done));
  });

  it('forwards only the allowed headers each way and names the service as Host', async () => {
    behaviour = (_request, response) => {
      response.writeHead(201, {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="journal.csv"',
        'retry-after': '3',
        'set-cookie': 'session=stolen',
        server: 'nest',
        'x-powered-by': 'Express',
        'keep-alive': 'timeout=99',
        'strict-transport-security': 'max-age=1',
      });
      response.end('a,b\r\n');
    };
    const answer = await raw(running.url, '/api/billing/v1/exports/journal?format=csv&x=%20y', {
      method: 'POST',
      headers: {
        authorization: 'Bearer plf_k_s',
        'x-api-key': 'plf_k_s',
        'content-type': 'application/json',
        'idempotency-key': 'idem-1',
        cookie: 'a=b',
        'x-forwarded-for': '10.0.0.1',
        'proxy-authorization': 'Basic eA==',
        connection: 'keep-alive, x-api-key',
        te: 'trailers',
        host: 'console.example',
      },
      body: '{"a":1}',
    });
    expect(answer).toMatchObject({ status: 201, body: 'a,b\r\n', broken: false });
    expect(answer.headers).toMatchObject({
      'content-type': 'text/csv',
      'content-disposition': 'attachment; filename="journal.csv"',
      'retry-after': '3',
      'x-content-type-options': 'nosniff',
    });
    for (const dropped of ['set-cookie', 'server', 'x-powered-by', 'strict-transport-security']) {
      expect({ dropped, value: answer.headers[dropped] }).toEqual({ dropped, value: undefined });
    }
    const [call] = seen;
    expect(call).toMatchObject({
      method: 'POST',
      url: '/v1/exports/journal?format=csv&x=%20y',
      body: '{"a":1}',
    });
    expect(Object.keys(call?.headers ?? {}).sort()).toEqual(
      [
        'authorization',
        'connection',
        'content-length',
        'content-type',
        'host',
        'idempotency-key',
        'x-api-key',
      ].sort(),
    );
    expect(call?.headers.host).toBe(`127.0.0.1:${upstreamPort}`);
    expect(call?.headers['content-length']).toBe('7');
  });

  it('passes HEAD and encoded paths through, and refuses . and .. segments unsent', async () => {
    behaviour = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
      response.end('{"ok":true}');
    };
    const head = await raw(running.url, '/api/allocation/v1/units/a%2Fb%C3%A9', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('11');
    expect(seen.map((call) => `${call.method} ${call.url}`)).toEqual([
      'HEAD /v1/units/a%2Fb%C3%A9',
    ]);
    for (const path of ['/api/allocation/v1/../admin', '/api/billing/v1/%2e%2e/x']) {
      const refused = await raw(running.url, path);
      expect({ path, status: refused.status, body: JSON.parse(refused.body) as unknown }).toEqual({
        path,
        status: 400,
        body: expect.objectContaining({ code: 'REQUEST.INVALID' }) as unknown,
      });
    }
    expect(seen).toHaveLength(1);
  });

  it('refuses a chunked body above the limit before any service sees it', async () => {
    const answer = await raw(running.url, '/api/ingestion/v1/usage', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(5000),
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
    expect(answer.headers.connection).toBe('close');
    expect(seen).toHaveLength(0);
  });

  it('breaks the download off when the service stalls mid-body for the timeout', async () => {
    behaviour = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      response.write('part'); // … and never the rest
    };
    const startedAt = Date.now();
    const answer = await raw(running.url, '/api/billing/v1/slow');
    expect(answer).toMatchObject({ status: 200, body: 'part', broken: true });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    await waitFor(() => seen[0]?.closedEarly === true);
  });

  it('stops the service call when the browser leaves', async () => {
    behaviour = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first');
    };
    const { hostname, port } = new URL(running.url);
    await new Promise<void>((done, fail) => {
      const req = httpRequest({ hostname, port, path: '/api/allocation/v1/stream' }, (response) => {
        response.once('data', () => {
          req.destroy();
          done();
        });
      });
      req.once('error', (error) => (req.destroyed ? undefined : fail(error)));
      req.end();
    });
    await waitFor(() => seen[0]?.closedEarly === true);
    // Logged as the browser's doing, not as the service's failure.
    await waitFor(() => logs.some((line) => line.includes('GET /api/allocation/v1/stream 499')));
  });
});
