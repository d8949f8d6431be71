// The console server (apps/console/server) as users meet it: inside `npm start`'s embedded
// system (built code, demo seeded), and alone as the production container runs it
// (dist/apps/console/server/main.js) against services that are down or never answer.
import { freePort } from '@plafond/testing';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { demoPolicies } from '../../../scripts/demo/seed';
import {
  baseEnvironment,
  builtFile,
  exitWithin,
  killIfRunning,
  repositoryRoot,
  runToCompletion,
  startProcess,
  type RunningProcess,
} from '../processes';
import { openBrowser, signIn, startConsoleSystem, step, type ConsoleSystem } from './harness';

const version = (
  JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** A raw GET: the path goes on the wire exactly as given (fetch would normalise `..`). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('console server in the embedded system', () => {
  let system: ConsoleSystem;

  beforeAll(async () => {
    system = await startConsoleSystem('server');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('prints its URL in the banner and tells its version', async () => {
    expect(system.output()).toContain(`console    ${system.consoleUrl}`);
    const response = await fetch(`${system.consoleUrl}/api/console`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      version,
      services: ['allocation', 'ingestion', 'billing'],
    });
    const ready = await fetch(`${system.consoleUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('serves the SPA with security headers, revalidated index and immutable assets', async () => {
    const index = await fetch(`${system.consoleUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await index.text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${system.consoleUrl}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Any other GET that is not a file is the SPA; a missing file is a 404, not HTML.
    const route = await fetch(`${system.consoleUrl}/organisation`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(html);
    const missing = await fetch(`${system.consoleUrl}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'REQUEST.NOT_FOUND' });
    const post = await fetch(`${system.consoleUrl}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ code: 'REQUEST.METHOD_NOT_ALLOWED' });
  });

  it('refuses paths that climb out of the built files', async () => {
    for (const path of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const response = await rawGet(system.consoleUrl, path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(response.body)).toMatchObject({ code: 'REQUEST.INVALID' });
      expect(response.body).not.toContain('"name": "plafond"');
    }
  });

  it('proxies calls with their key, status, body and headers', async () => {
    const { consoleUrl, urls, adminKey, demo } = system;
    const direct = await fetch(`${urls.allocation}/v1/budgets/${demo.budgetId}`, {
      headers: bearer(adminKey),
    });
    const proxied = await fetch(`${consoleUrl}/api/allocation/v1/budgets/${demo.budgetId}`, {
      headers: bearer(adminKey),
    });
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toEqual(await direct.json());
    // X-Api-Key is forwarded as well.
    const viaHeader = await fetch(`${consoleUrl}/api/allocation/v1/auth/self`, {
      headers: { 'x-api-key': adminKey },
    });
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toMatchObject({ service: 'allocation', role: 'admin' });
    // Errors pass through as the service wrote them.
    const anonymous = await fetch(`${consoleUrl}/api/billing/v1/invoices`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    // A POST body reaches the service: the preview computes from it.
    const body = JSON.stringify({ policies: demoPolicies() });
    const init = {
      method: 'POST',
      headers: { ...bearer(adminKey), 'content-type': 'application/json' },
      body,
    };
    const preview = await fetch(
      `${consoleUrl}/api/allocation/v1/budgets/${demo.budgetId}/preview`,
      init,
    );
    const previewDirect = await fetch(
      `${urls.allocation}/v1/budgets/${demo.budgetId}/preview`,
      init,
    );
    expect(preview.status).toBe(previewDirect.status);
    expect(preview.status).toBeLessThan(300);
    expect(await preview.json()).toEqual(await previewDirect.json());
    const malformed = await fetch(
      `${consoleUrl}/api/allocation/v1/budgets/${demo.budgetId}/preview`,
      {
        ...init,
        body: '{"policies":',
      },
    );
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'REQUEST.MALFORMED_JSON' });
  });

  it('streams a CSV download with its Content-Disposition', async () => {
    const { consoleUrl, urls, financeKey, demo } = system;
    const period = demo.period.startsAt.slice(0, 7);
    const path = `/v1/exports/journal?period=${period}&format=csv`;
    const direct = async () =>
      (await fetch(`${urls.billing}${path}`, { headers: bearer(financeKey) })).text();
    // The demo's usage is still being charged just after start: compare once the journal holds
    // still (two reads a second apart agree), on both sides of the proxied read.
    let before = await direct();
    for (let attempt = 0; attempt < 60; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const again = await direct();
      if (again === before) break;
      before = again;
    }
    const proxied = await fetch(`${consoleUrl}/api/billing${path}`, {
      headers: bearer(financeKey),
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(proxied.headers.get('content-disposition')).toBe(
      `attachment; filename="plafond-journal-${period}.csv"`,
    );
    expect(proxied.headers.get('cache-control')).toBe('no-store');
    const body = await proxied.text();
    expect(body.split('\r\n').length).toBeGreaterThan(2);
    expect(body).toBe(before);
    expect(await direct()).toBe(before);
  });

  it('refuses a body above the limit and an unknown service, changing nothing', async () => {
    const { consoleUrl, adminKey } = system;
    const big = await fetch(`${consoleUrl}/api/allocation/v1/units`, {
      method: 'POST',
      headers: { ...bearer(adminKey), 'content-type': 'application/json' },
      body: `{"unitId":"too-big","name":"${'x'.repeat(1024 * 1024 + 1)}"}`,
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      code: 'REQUEST.TOO_LARGE',
      details: { limitBytes: 1048576 },
    });
    const unit = await fetch(`${consoleUrl}/api/allocation/v1/units/too-big`, {
      headers: bearer(adminKey),
    });
    expect(unit.status).toBe(404);
    const unknown = await fetch(`${consoleUrl}/api/payroll/v1/anything`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'REQUEST.NOT_FOUND' });
  });

  it('runs the SPA in Chromium without a Content-Security-Policy violation', async () => {
    const session = await openBrowser();
    try {
      const violations: string[] = [];
      await session.page.exposeFunction('reportViolation', (text: string) => {
        violations.push(text);
      });
      // Runs in the page (a string: this file is compiled without the DOM library).
      await session.page.addInitScript({
        content:
          "document.addEventListener('securitypolicyviolation', (event) => " +
          "window.reportViolation(event.violatedDirective + ' ' + event.blockedURI));",
      });
      await step(session, 'server-sign-in', () =>
        signIn(session.page, system.consoleUrl, system.adminKey),
      );
      for (const route of [
        'organisation',
        'burn-down',
        'allocation',
        'scarcity',
        'billing',
        'rebound',
        'audit',
      ]) {
        await step(session, `server-route-${route}`, async () => {
          await session.page.goto(`${system.consoleUrl}/#/${route}`);
          await session.page.getByRole('heading', { level: 1 }).first().waitFor();
          await session.page.waitForLoadState('networkidle');
        });
      }
      const cspErrors = session.problems.filter((line) => /Content Security Policy/i.test(line));
      expect({ violations, cspErrors }).toEqual({ violations: [], cspErrors: [] });
    } finally {
      await session.close();
    }
  });
});

/** Accepts connections and never answers: a service that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function waitForLine(running: RunningProcess, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (running.stdout.some((line) => line.includes(text))) return;
    if (running.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `no "${text}" in the console's output:\n${[...running.stdout, ...running.stderr].join('\n')}`,
  );
}

describe('console server alone (the production entry point)', () => {
  let running: RunningProcess | undefined;
  let silent: Awaited<ReturnType<typeof silentServer>> | undefined;

  afterEach(async () => {
    await killIfRunning(running);
    running = undefined;
    await silent?.close();
    silent = undefined;
  });

  it('answers 502 when a service is down and 504 when it does not answer in time', async () => {
    const port = await freePort();
    const deadPort = await freePort();
    silent = await silentServer();
    running = startProcess(builtFile('dist/apps/console/server/main.js'), {
      ...baseEnvironment(),
      CONSOLE_PORT: String(port),
      ALLOCATION_URL: `http://127.0.0.1:${deadPort}`,
      BILLING_URL: `http://127.0.0.1:${silent.port}`,
      CONSOLE_UPSTREAM_TIMEOUT_MS: '500',
    });
    await waitForLine(running, 'console listening on');
    const base = `http://127.0.0.1:${port}`;
    const down = await fetch(`${base}/api/allocation/v1/budgets`);
    expect(down.status).toBe(502);
    expect(await down.json()).toMatchObject({
      code: 'CONSOLE.UPSTREAM_UNAVAILABLE',
      details: { service: 'allocation' },
    });
    const startedAt = Date.now();
    const hung = await fetch(`${base}/api/billing/v1/invoices`);
    expect(hung.status).toBe(504);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(await hung.json()).toMatchObject({
      code: 'CONSOLE.UPSTREAM_TIMEOUT',
      details: { service: 'billing', timeoutMs: 500 },
    });
    // Its log lines are JSON, as the services' are.
    const lines = running.jsonLines();
    expect(lines.some((line) => line.service === 'console')).toBe(true);
    running.child.kill('SIGTERM');
    expect(await exitWithin(running, 15_000)).toEqual({ code: 0, signal: null });
  });

  it('is not ready without a built SPA', async () => {
    const port = await freePort();
    running = startProcess(builtFile('dist/apps/console/server/main.js'), {
      ...baseEnvironment(),
      CONSOLE_PORT: String(port),
      CONSOLE_STATIC_DIR: '/nonexistent/console',
    });
    await waitForLine(running, 'console listening on');
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    const index = await fetch(`http://127.0.0.1:${port}/`);
    expect(index.status).toBe(503);
    expect(await index.json()).toMatchObject({ code: 'SERVICE.UNAVAILABLE' });
  });

  it('refuses a bad configuration with one readable line', async () => {
    const result = await runToCompletion(
      builtFile('dist/apps/console/server/main.js'),
      {
        ...baseEnvironment(),
        CONSOLE_PORT: '70000',
        ALLOCATION_URL: 'ftp://user:secret@allocation',
      },
      15_000,
    );
    expect(result.code).toBe(1);
    const stderr = result.stderr.join('\n');
    expect(stderr).toContain('CONSOLE_PORT must be an integer between 1 and 65535');
    expect(stderr).toContain('ALLOCATION_URL must be an http(s) URL');
  });
});
