// The console's HTTP server: the built SPA, its same-origin API proxy (./proxy.ts), health and a
// version route. Plain node:http: nothing here needs a framework, and the container stays small.
import { JsonLogger, closeHttpServer } from '@plafond/platform';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { CONSOLE_SERVICES, ConsoleConfig, upstreamUrls, type ConsoleService } from './config';
import { proxyCall, readBody, refusedProxyPath, type ProxyError } from './proxy';
import { indexFile, REVALIDATE_CACHE, resolveStatic } from './static-files';

/**
 * The SPA is one origin's bundle: scripts, styles, fonts and API calls all come from here. React
 * sets `style` through the DOM (CSSOM), which style-src does not restrict, so no 'unsafe-inline'.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/** The directory of the repository's package.json, found upwards from here (source or dist/). */
function findPackageRoot(): string {
  let directory = __dirname;
  for (let depth = 0; depth < 8; depth += 1) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    directory = dirname(directory);
  }
  return process.cwd();
}

export const PACKAGE_ROOT = findPackageRoot();

function packageVersion(): string {
  try {
    const parsed = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, extra = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extra,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: ProxyError): void {
  sendJson(response, error.status, {
    statusCode: error.status,
    code: error.code,
    message: error.message,
    details: error.details,
  });
}

const notFound = (path: string): ProxyError => ({
  status: 404,
  code: 'REQUEST.NOT_FOUND',
  message: `Nothing at ${path}.`,
  details: { path },
});

export interface RunningConsole {
  readonly server: Server;
  /** `http://host:port` as a browser reaches it. */
  readonly url: string;
  /** Readiness turns 503, then in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS). */
  stop(): Promise<boolean>;
}

export class ConsoleServer {
  private readonly staticDir: string;
  private readonly upstreams: Record<ConsoleService, string>;
  private readonly version = packageVersion();
  private draining = false;
  readonly server: Server;

  constructor(
    private readonly config: ConsoleConfig,
    private readonly logger: JsonLogger,
    /** What a relative CONSOLE_STATIC_DIR is relative to. */
    root: string = PACKAGE_ROOT,
  ) {
    this.staticDir = resolve(root, config.staticDir);
    this.upstreams = upstreamUrls(config);
    this.server = createServer((request, response) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      this.handle(request, response).catch((error: unknown) => {
        this.logger.write('error', 'request failed', { err: error, url: request.url }, 'Http');
        if (!response.headersSent) {
          sendError(response, {
            status: 500,
            code: 'INTERNAL',
            message: 'The console failed to answer.',
            details: {},
          });
        } else response.destroy();
      });
    });
    // A slow client cannot hold a connection forever before sending its request.
    // Nor trickle a request (headers and body) for longer than a minute; answers are not bound.
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 60_000;
  }

  /** Whether the built SPA is there (readiness). */
  hasIndex(): boolean {
    return existsSync(indexFile(this.staticDir));
  }

  async listen(): Promise<RunningConsole> {
    await new Promise<void>((done, fail) => {
      this.server.once('error', fail);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', fail);
        done();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    const host = ['', '0.0.0.0', '::'].includes(this.config.host)
      ? '127.0.0.1'
      : this.config.host.includes(':')
        ? `[${this.config.host}]`
        : this.config.host;
    const url = `http://${host}:${port}`;
    if (!this.hasIndex()) {
      this.logger.write(
        'warn',
        `no built console in ${this.staticDir} (run npm run build): not ready until it is there`,
        {},
        'Bootstrap',
      );
    }
    this.logger.write('info', `console listening on ${url}`, { url }, 'Bootstrap');
    return { server: this.server, url, stop: () => this.stop() };
  }

  async stop(): Promise<boolean> {
    this.draining = true;
    const timer = new AbortController();
    const timeout = new Promise<false>((done) => {
      const handle = setTimeout(() => done(false), this.config.shutdownTimeoutMs);
      timer.signal.addEventListener('abort', () => clearTimeout(handle));
    });
    const drained = await Promise.race([closeHttpServer(this.server).then(() => true), timeout]);
    timer.abort();
    if (!drained) this.server.closeAllConnections();
    this.logger.write(
      drained ? 'info' : 'error',
      drained ? 'HTTP drained' : 'requests still running at SHUTDOWN_TIMEOUT_MS',
      {},
      'Shutdown',
    );
    return drained;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = request.url ?? '/';
    const queryAt = raw.indexOf('?');
    const pathname = queryAt === -1 ? raw : raw.slice(0, queryAt);
    if (pathname === '/health/live') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (pathname === '/health/ready') {
      const ready = !this.draining && this.hasIndex();
      sendJson(response, ready ? 200 : 503, {
        status: ready ? 'ok' : 'unavailable',
        checks: { draining: this.draining, staticFiles: this.hasIndex() ? 'ok' : 'missing' },
      });
      return;
    }
    if (pathname === '/api/console') {
      sendJson(response, 200, { version: this.version, services: CONSOLE_SERVICES });
      return;
    }
    const api = /^\/api\/([^/]+)(\/.*)?$/.exec(raw);
    if (api !== null) {
      await this.proxy(request, response, api[1] ?? '', api[2] ?? '/');
      return;
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      sendError(response, notFound(pathname));
      return;
    }
    this.serveStatic(request, response, pathname);
  }

  private async proxy(
    request: IncomingMessage,
    response: ServerResponse,
    name: string,
    rest: string,
  ): Promise<void> {
    const service = CONSOLE_SERVICES.find((candidate) => candidate === name);
    if (service === undefined) {
      request.resume();
      sendError(response, notFound(`/api/${name}`));
      return;
    }
    const refused = refusedProxyPath(rest);
    if (refused !== undefined) {
      request.resume();
      sendError(response, {
        status: 400,
        code: 'REQUEST.INVALID',
        message: `Refused path: ${refused}.`,
        details: { reason: refused },
      });
      return;
    }
    const startedAt = Date.now();
    const read = await readBody(request, this.config.maxBodyBytes);
    if (!read.ok) {
      // The rest of an oversized body is not read: the connection closes after the answer.
      response.setHeader('connection', 'close');
      sendError(response, read.error);
      return;
    }
    const status = await proxyCall(request, response, {
      service,
      baseUrl: this.upstreams[service],
      rest,
      body: read.body,
      timeoutMs: this.config.upstreamTimeoutMs,
      onError: (error) => sendError(response, error),
    });
    const pathOnly = rest.split('?')[0];
    this.logger.write(
      status >= 502 ? 'warn' : 'info',
      `${request.method} /api/${service}${pathOnly} ${status}`,
      {
        service,
        method: request.method,
        path: pathOnly,
        status,
        durationMs: Date.now() - startedAt,
      },
      'Proxy',
    );
  }

  private serveStatic(request: IncomingMessage, response: ServerResponse, pathname: string): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, {
        status: 405,
        code: 'REQUEST.METHOD_NOT_ALLOWED',
        message: `${request.method} is not allowed on ${pathname}; the console serves files with GET.`,
        details: { method: request.method, allow: ['GET', 'HEAD'] },
      });
      return;
    }
    const target = resolveStatic(this.staticDir, pathname);
    if (target.kind === 'refused') {
      sendError(response, {
        status: 400,
        code: 'REQUEST.INVALID',
        message: `Refused path: ${target.reason}.`,
        details: { reason: target.reason },
      });
      return;
    }
    if (target.kind === 'missing') {
      sendError(response, notFound(pathname));
      return;
    }
    const file =
      target.kind === 'file'
        ? target
        : {
            path: indexFile(this.staticDir),
            type: 'text/html; charset=utf-8',
            cache: REVALIDATE_CACHE,
          };
    if (!existsSync(file.path)) {
      sendError(response, {
        status: 503,
        code: 'SERVICE.UNAVAILABLE',
        message: 'The console is not built: run `npm run build` (it writes dist/console).',
        details: {},
      });
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': file.cache });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.once('error', () => response.destroy());
    stream.pipe(response);
  }
}
