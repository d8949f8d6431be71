// `npm start` as a developer runs it: the built dist/scripts/start.js as a real process, over
// real HTTP, stopped by signals — distributed (DATABASE_URL and KAFKA_BROKERS set: a fresh
// database and the test run's Kafka), and embedded (neither set: one process, PGlite on a temp
// data directory, no broker).
import {
  createTestDatabase,
  freePort,
  freePorts,
  kafkaBrokers,
  TestDatabase,
  uniqueTopicPrefix,
  waitFor,
} from '@plafond/testing';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ALLOCATION_ID, DEMO_UNITS, seedDemo } from '../../scripts/demo/seed';
import type { DemoState } from '../../scripts/embedded/demo-state';
import {
  baseEnvironment,
  builtFile,
  exitWithin,
  killIfRunning,
  RunningProcess,
  runToCompletion,
  SERVICE_NAMES,
  serviceEntryPoint,
  startProcess,
} from './processes';

/** Generous for three graceful stops; far below the script's own 30 s kill bound. */
const STOP_BOUND_MS = 25_000;
const READY_BOUND_MS = 120_000;
/** Trust auth ignores it; it is in the URLs so the tests can prove it is never printed. */
const PASSWORD = 'start-Secret-5d1e';

/** The three services and the web console (CONSOLE_PORT). */
type Ports = Record<(typeof SERVICE_NAMES)[number] | 'console', number>;

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function listeningPorts(ports: Ports): Promise<number[]> {
  const states = await Promise.all(Object.values(ports).map(isListening));
  return Object.values(ports).filter((_, index) => states[index]);
}

/** Four distinct free ports, one per listener of the system. */
async function systemPorts(): Promise<Ports> {
  const [allocation = 0, ingestion = 0, billing = 0, consolePort = 0] = await freePorts(4);
  return { allocation, ingestion, billing, console: consolePort };
}

function withPassword(url: string, port?: number): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString();
}

function startEnvironment(databaseUrl: string, ports: Ports, label: string): NodeJS.ProcessEnv {
  return {
    ...baseEnvironment(),
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(label),
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '20000',
    ALLOCATION_PORT: String(ports.allocation),
    INGESTION_PORT: String(ports.ingestion),
    BILLING_PORT: String(ports.billing),
    CONSOLE_PORT: String(ports.console),
  };
}

const startScript = () => builtFile('dist/scripts/start.js');
const output = (running: { stdout: string[]; stderr: string[] }) =>
  [...running.stdout, ...running.stderr].join('\n');

function waitForLine(running: RunningProcess, pattern: RegExp, timeoutMs: number) {
  return waitFor(
    () => {
      if (running.child.exitCode !== null) {
        throw new Error(`exited with ${running.child.exitCode}:\n${output(running)}`);
      }
      return running.stdout.find((line) => pattern.test(line));
    },
    { timeoutMs, intervalMs: 100, description: `a line matching ${pattern}` },
  );
}

describe('npm start, distributed (DATABASE_URL and KAFKA_BROKERS set)', () => {
  let database: TestDatabase;
  let running: RunningProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('e2e-start');
  });

  afterEach(async () => {
    await killIfRunning(running);
    running = undefined;
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('runs the three services on the chosen ports and stops them once on SIGINT, exit 0', async () => {
    const ports = await systemPorts();
    const env = startEnvironment(withPassword(database.url), ports, 'e2e-start');
    const started = (running = startProcess(startScript(), env));
    await waitForLine(started, /^\[plafond\] ready:/, READY_BOUND_MS);
    for (const service of SERVICE_NAMES) {
      const response = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
      expect({ service, status: response.status }).toEqual({ service, status: 200 });
    }
    expect(output(started)).toContain(`${env.KAFKA_TOPIC_PREFIX}plafond.usage.recorded.v1`);
    // The web console runs as a fourth process and proxies to the services.
    const consoleUrl = `http://127.0.0.1:${ports.console}`;
    expect(output(started)).toContain(`console    ${consoleUrl}  (web console`);
    const proxied = await fetch(`${consoleUrl}/api/billing/health/ready`);
    expect(proxied.status).toBe(200);

    // The printed admin key works: a new user can create the root of the unit tree at once.
    const keyLine = started.stdout.find((line) => line.includes('admin API key: plf_')) ?? '';
    const adminKey = /plf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(keyLine)?.[0];
    expect(adminKey).toBeDefined();
    const allocation = `http://127.0.0.1:${ports.allocation}/v1/units`;
    const unitId = `e2e-root-${ports.allocation}`;
    const created = await fetch(allocation, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ unitId, parentId: null, name: 'Group' }),
    });
    expect(created.status).toBe(201);
    const anonymous = await fetch(`${allocation}/${unitId}`);
    expect(anonymous.status).toBe(401);

    started.child.kill('SIGINT');
    const exit = await exitWithin(started, STOP_BOUND_MS);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await listeningPorts(ports)).toEqual([]);
    const text = output(started);
    for (const service of [...SERVICE_NAMES, 'console']) {
      const completions = started.stdout.filter(
        (line) => line.startsWith(`[${service}]`) && line.includes('"msg":"shutdown complete"'),
      );
      expect({ service, completions: completions.length }).toEqual({ service, completions: 1 });
    }
    expect(text).not.toContain('shutdown already in progress');
    expect(text).not.toContain('"level":"error"');
    expect(text).not.toContain(PASSWORD);
  });

  it('leaves no service behind when the script itself is killed', async () => {
    const ports = await systemPorts();
    const started = (running = startProcess(
      startScript(),
      startEnvironment(database.url, ports, 'e2e-start-killed'),
    ));
    await waitForLine(started, /^\[plafond\] ready:/, READY_BOUND_MS);
    started.child.kill('SIGKILL');
    await started.exited;
    await waitFor(async () => (await listeningPorts(ports)).length === 0, {
      timeoutMs: STOP_BOUND_MS,
      intervalMs: 250,
      description: 'the services to stop after losing their parent',
    });
  });

  it('spawns no service when stopped while it prepares, and exits 0', async () => {
    // A PostgreSQL stand-in that holds connections until released: the stop lands mid-step.
    const held: Socket[] = [];
    let release = false;
    const upstream = new URL(database.url);
    const pipeUpstream = (socket: Socket) => {
      const server = connect({ host: upstream.hostname, port: Number(upstream.port || 5432) });
      socket.pipe(server).pipe(socket);
      server.once('error', () => socket.destroy());
      socket.once('error', () => server.destroy());
    };
    const proxy: Server = createServer((socket) =>
      release ? pipeUpstream(socket) : held.push(socket),
    );
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;
    try {
      const ports = await systemPorts();
      const env = startEnvironment(database.url, ports, 'e2e-start-early');
      env.DATABASE_URL = withPassword(database.url, proxyPort);
      const started = (running = startProcess(startScript(), env));
      await waitForLine(started, /^\[plafond\] Kafka: /, 30_000);
      await waitFor(() => held.length > 0, { description: 'the database check to connect' });
      started.child.kill('SIGINT');
      await waitForLine(started, /SIGINT: stopping/, 10_000);
      release = true;
      for (const socket of held.splice(0)) pipeUpstream(socket);

      expect(await exitWithin(started, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
      const text = output(started);
      expect(text).not.toMatch(/Migrate|\[allocation\]|\[ingestion\]|\[billing\]|ready:/);
      expect(await listeningPorts(ports)).toEqual([]);
    } finally {
      proxy.close();
      for (const socket of held) socket.destroy();
    }
  });

  it('names DATABASE_URL, without its password, when PostgreSQL does not answer', async () => {
    const ports = await systemPorts();
    const closed = await freePort();
    const env = startEnvironment(withPassword(database.url, closed), ports, 'e2e-start-nodb');
    const result = await runToCompletion(startScript(), env, 30_000);
    expect(result.code).not.toBe(0);
    const text = output(result);
    expect(text).toContain(`PostgreSQL at postgres://postgres@127.0.0.1:${closed}/`);
    expect(text).toMatch(/does not answer \(ECONNREFUSED\); start it or set DATABASE_URL/);
    expect(text).not.toContain(PASSWORD);
    expect(await listeningPorts(ports)).toEqual([]);
  });

  it('names KAFKA_BROKERS when Kafka does not answer', async () => {
    const ports = await systemPorts();
    const env = startEnvironment(database.url, ports, 'e2e-start-nokafka');
    env.KAFKA_BROKERS = `127.0.0.1:${await freePort()}`;
    const result = await runToCompletion(startScript(), env, 30_000);
    expect(result.code).not.toBe(0);
    expect(output(result)).toContain(
      `Kafka at ${env.KAFKA_BROKERS} does not answer; start it or set KAFKA_BROKERS`,
    );
    expect(await listeningPorts(ports)).toEqual([]);
  });

  it.each([
    ['ALLOCATION_PORT', '70000', /ALLOCATION_PORT must be an integer from 1 to 65535/],
    ['INGESTION_PORT', 'http', /INGESTION_PORT must be an integer from 1 to 65535/],
    ['BILLING_PORT', '0', /BILLING_PORT must be an integer from 1 to 65535/],
  ])('refuses %s=%s before starting anything', async (variable, value, message) => {
    const env = startEnvironment(database.url, await systemPorts(), 'e2e-start-badport');
    env[variable] = value;
    const result = await runToCompletion(startScript(), env, 30_000);
    expect(result.code).toBe(1);
    expect(output(result)).toMatch(message);
    expect(output(result)).not.toContain('Kafka:');
  });

  it('refuses KAFKA_PORT=9092.5 under npm run start:distributed (--distributed, local broker)', () => {
    const env = { ...baseEnvironment(), KAFKA_PORT: '9092.5' };
    const result = spawnSync(process.execPath, [startScript(), '--distributed'], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/KAFKA_PORT must be an integer from 1 to 65535/);
    expect(result.stdout).not.toContain('Kafka:');
  });

  it('with DATABASE_URL but no KAFKA_BROKERS: one process on that PostgreSQL, no broker; SIGTERM, exit 0', async () => {
    const ports = await systemPorts();
    const dataDir = await mkdtemp(join(tmpdir(), 'plafond-e2e-start-db-'));
    try {
      const env: NodeJS.ProcessEnv = {
        ...startEnvironment(withPassword(database.url), ports, 'e2e-start-db'),
        PLAFOND_DATA_DIR: dataDir,
        PLAFOND_DEMO: 'false',
      };
      delete env.KAFKA_BROKERS;
      const started = (running = startProcess(startScript(), env));
      await waitForLine(started, /^\[plafond\] Plafond is ready/, READY_BOUND_MS);
      for (const service of SERVICE_NAMES) {
        const response = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
        const body = (await response.json()) as { checks: Record<string, unknown> };
        expect({ service, status: response.status, checks: Object.keys(body.checks) }).toEqual({
          service,
          status: 200,
          checks: ['database'],
        });
      }
      const adminKey = (await readFile(join(dataDir, 'admin-api-key'), 'utf8')).trim();
      const messaging = await fetch(`http://127.0.0.1:${ports.allocation}/v1/admin/messaging`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(await messaging.json()).toMatchObject({
        usageConsumer: { state: 'running', transport: 'ledger-log' },
      });
      started.child.kill('SIGTERM');
      expect(await exitWithin(started, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
      const text = output(started);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('"level":"error"');
      expect(text).not.toMatch(/kafka\.unused|ENOTFOUND/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses two services on one port', async () => {
    const ports = await systemPorts();
    const env = startEnvironment(database.url, { ...ports, billing: ports.allocation }, 'e2e-dup');
    const result = await runToCompletion(startScript(), env, 30_000);
    expect(result.code).toBe(1);
    expect(output(result)).toContain(
      `ALLOCATION_PORT and BILLING_PORT are both ${ports.allocation}`,
    );
  });
});

describe('npm start, embedded (neither DATABASE_URL nor KAFKA_BROKERS)', () => {
  const KEY_PATTERN = /plf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/;
  let root: string;
  let dataDir: string;
  let ports: Ports;
  let running: RunningProcess | undefined;

  /** No DATABASE_URL, no KAFKA_BROKERS (baseEnvironment passes neither): no infrastructure. */
  function embeddedEnvironment(servicePorts: Ports, extra: NodeJS.ProcessEnv = {}) {
    return {
      ...baseEnvironment(),
      PLAFOND_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '20000',
      ALLOCATION_PORT: String(servicePorts.allocation),
      INGESTION_PORT: String(servicePorts.ingestion),
      BILLING_PORT: String(servicePorts.billing),
      CONSOLE_PORT: String(servicePorts.console),
      ...extra,
    };
  }

  const admin = (key: string) => ({ authorization: `Bearer ${key}` });
  const serviceLines = (started: RunningProcess) =>
    started.stdout.filter((line) => line.startsWith('{'));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'plafond-e2e-start-'));
    dataDir = join(root, 'data');
    ports = await systemPorts();
  });

  afterEach(async () => {
    await killIfRunning(running);
    running = undefined;
  });

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('first run: migrates, serves the three APIs, seeds the demo and prints working keys once; SIGTERM stops it, exit 0', async () => {
    const started = (running = startProcess(startScript(), embeddedEnvironment(ports)));
    await waitForLine(started, /^\[plafond\] Plafond is ready/, READY_BOUND_MS);
    for (const service of SERVICE_NAMES) {
      const response = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
      expect({ service, status: response.status }).toEqual({ service, status: 200 });
      expect(output(started)).toContain(`http://127.0.0.1:${ports[service]}/docs`);
    }

    // The web console: its URL printed, the SPA served, the services reached through it.
    const consoleUrl = `http://127.0.0.1:${ports.console}`;
    expect(output(started)).toContain(
      `console    ${consoleUrl}  (web console: sign in with the admin key below)`,
    );
    const index = await fetch(`${consoleUrl}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const proxied = await fetch(`${consoleUrl}/api/allocation/health/ready`);
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({ status: 'ok' });

    // The printed admin key works on an admin route; without it the route is closed.
    const keyLine = started.stdout.find((line) => line.includes('admin API key: plf_')) ?? '';
    const adminKey = KEY_PATTERN.exec(keyLine)?.[0] ?? 'missing';
    expect(adminKey).not.toBe('missing');
    const budgets = await fetch(`http://127.0.0.1:${ports.allocation}/v1/budgets`, {
      headers: admin(adminKey),
    });
    expect(budgets.status).toBe(200);
    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as {
      perimeterId: string;
      budgetId: string;
      integrator: { integratorId: string; keyId: string };
    };
    expect(await budgets.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ budgetId: demo.budgetId })]),
    );
    expect((await fetch(`http://127.0.0.1:${ports.allocation}/v1/budgets`)).status).toBe(401);
    expect((await readFile(join(dataDir, 'admin-api-key'), 'utf8')).trim()).toBe(adminKey);
    expect((await stat(join(dataDir, 'admin-api-key'))).mode & 0o777).toBe(0o600);

    // demo.json holds ids, never a key; the integrator key printed once posts usage.
    expect(JSON.stringify(demo)).not.toMatch(/plf_/);
    const integratorLine = started.stdout.find((line) => line.includes('integrator key (')) ?? '';
    const integratorKey = KEY_PATTERN.exec(integratorLine)?.[0] ?? 'missing';
    expect(integratorKey).toContain(`plf_${demo.integrator.keyId}_`);
    const usage = await fetch(`http://127.0.0.1:${ports.ingestion}/v1/usage`, {
      method: 'POST',
      headers: { ...admin(integratorKey), 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'e2e-start-1',
          unitId: 'dept-customer-care',
          useCase: 'support-chat',
          model: 'meta-llama-3.1-70b-instruct',
          region: 'fr',
          inputTokens: '1200',
          outputTokens: '350',
          occurredAt: new Date().toISOString(),
        },
      ]),
    });
    expect(await usage.json()).toMatchObject({ accepted: 1, rejected: 0 });

    // The seed played the month so far (scripts/demo/activity.ts): ingestion accepted every
    // usage it posted, billing recorded and charged them, and one reservation was refused.
    const activity = (demo as DemoState).activity;
    if (activity === undefined) throw new Error('demo.json records no activity');
    expect(activity.usage).toEqual({
      posted: activity.usage.posted,
      accepted: activity.usage.posted,
      duplicates: 0,
      energyMicroWh: expect.stringMatching(/^[0-9]+$/),
    });
    expect(activity.usage.posted).toBeLessThanOrEqual(300);
    expect(activity.refusedReservation).toMatchObject({
      unitId: 'dept-customer-care',
      code: 'QUOTA.EXCEEDED',
    });
    const month = demo.budgetId.replace('demo-energy-', '');
    const billingGet = async <T>(path: string): Promise<T> => {
      const answer = await fetch(`http://127.0.0.1:${ports.billing}${path}`, {
        headers: admin(adminKey),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      return (await answer.json()) as T;
    };
    interface ReboundReport {
      rows: { unitId: string; scope: string; current: { requests: string } }[];
      flagged: string[];
    }
    if (activity.days.length > 0) {
      // Everything the seed posted (and the one usage above) reached billing.
      await waitFor(
        async () => {
          const report = await billingGet<ReboundReport>(
            `/v1/reports/rebound?period=${month}&unitId=demo-org`,
          );
          const total = report.rows.find((row) => row.unitId === 'demo-org');
          return total?.current.requests === String(activity.usage.posted + 1);
        },
        { timeoutMs: 60_000, description: 'billing to record the demo activity' },
      );
      const statement = await billingGet<{ currencies: { totalMicro: string }[] }>(
        `/v1/units/dept-customer-care/statement?period=${month}`,
      );
      expect(BigInt(statement.currencies[0]?.totalMicro ?? '0')).toBeGreaterThan(0n);
    }
    if (activity.days.length > 1) {
      const lastDay = activity.days.at(-1) as string;
      const daily = await billingGet<ReboundReport>(`/v1/reports/rebound?period=${lastDay}`);
      expect(daily.flagged).toContain('dept-marketing');
    }

    // JSON log lines name their service; no broker was ever needed.
    const services = new Set(
      serviceLines(started).map((line) => (JSON.parse(line) as { service: string }).service),
    );
    expect([...services]).toEqual(
      expect.arrayContaining(['postgres', 'console', ...SERVICE_NAMES]),
    );

    started.child.kill('SIGTERM');
    expect(await exitWithin(started, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
    expect(await listeningPorts(ports)).toEqual([]);
    const text = output(started);
    expect(text).toContain('"msg":"embedded postgres stopped"');
    expect(text).not.toContain('"level":"error"');
    expect(text).not.toContain('owned the database for too long');
  });

  it('restart on the same data directory: the data is still there, no second seed, no secret printed; a second instance is refused (exit 1); SIGINT stops it, exit 0', async () => {
    const adminKey = (await readFile(join(dataDir, 'admin-api-key'), 'utf8')).trim();
    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8')) as {
      perimeterId: string;
    };
    const started = (running = startProcess(startScript(), embeddedEnvironment(ports)));
    await waitForLine(started, /^\[plafond\] Plafond is ready/, READY_BOUND_MS);
    const perimeter = await fetch(
      `http://127.0.0.1:${ports.allocation}/v1/units/${demo.perimeterId}`,
      { headers: admin(adminKey) },
    );
    expect(perimeter.status).toBe(200);
    const text = output(started);
    expect(text).not.toMatch(/plf_/);
    expect(text).not.toContain('demo: first run');
    expect(text).toContain(`admin API key: in ${join(dataDir, 'admin-api-key')}`);

    const second = await runToCompletion(
      startScript(),
      embeddedEnvironment(await systemPorts()),
      60_000,
    );
    expect(second.code).toBe(1);
    expect(output(second)).toContain(
      `start failed: the data directory ${dataDir} is in use by process ${started.child.pid}`,
    );
    expect((await fetch(`http://127.0.0.1:${ports.billing}/health/ready`)).status).toBe(200);

    started.child.kill('SIGINT');
    expect(await exitWithin(started, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
    expect(await listeningPorts(ports)).toEqual([]);
  });

  it('a first start killed (SIGKILL) during the demo seed: the next start resumes it, keeps what was made, doubles nothing and prints new keys; seeding once more changes no id', async () => {
    const killedDir = join(root, 'killed-during-seed');
    const servicePorts = await systemPorts();
    const env = embeddedEnvironment(servicePorts, { PLAFOND_DATA_DIR: killedDir });
    const first = (running = startProcess(startScript(), env));
    // Killed the moment the seed reports its units made: the rest of the seed (use cases,
    // budget, round, integrator, schedule, profiles) is still to come, so it never completes.
    const unitsDone = `[plafond] demo: allocation: ${DEMO_UNITS.length} units under`;
    let seen = '';
    first.child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(unitsDone)) first.child.kill('SIGKILL');
    });
    expect(await exitWithin(first, READY_BOUND_MS)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(output(first)).not.toContain('Plafond is ready');
    await expect(stat(join(killedDir, 'demo.json'))).rejects.toThrow(/ENOENT/);

    // The next start seeds again over what the killed one left: no 409, no directory to delete.
    const second = (running = startProcess(startScript(), env));
    await waitForLine(second, /^\[plafond\] Plafond is ready/, READY_BOUND_MS);
    const text = output(second);
    expect(text).toContain('demo: resuming an interrupted seed: unit demo-org is there already');
    expect(text).toContain('an interrupted seed, completed now');
    expect(text).not.toContain('"level":"error"');
    const demo = JSON.parse(await readFile(join(killedDir, 'demo.json'), 'utf8')) as DemoState;
    const adminKey = (await readFile(join(killedDir, 'admin-api-key'), 'utf8')).trim();
    const allocationUrl = `http://127.0.0.1:${servicePorts.allocation}`;

    // The key printed by the resumed seed posts usage.
    const integratorLine = second.stdout.find((line) => line.includes('integrator key (')) ?? '';
    const integratorKey = KEY_PATTERN.exec(integratorLine)?.[0] ?? 'missing';
    expect(integratorKey).toContain(`plf_${demo.integrator.keyId}_`);
    const usage = await fetch(`http://127.0.0.1:${servicePorts.ingestion}/v1/usage`, {
      method: 'POST',
      headers: { ...admin(integratorKey), 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'e2e-resumed-1',
          unitId: 'dept-logistics',
          useCase: 'route-planning',
          model: 'meta-llama-3.1-70b-instruct',
          region: 'fr',
          inputTokens: '800',
          outputTokens: '200',
          occurredAt: new Date().toISOString(),
        },
      ]),
    });
    expect(await usage.json()).toMatchObject({ accepted: 1, rejected: 0 });

    // One round only: the budget's allocated amount is that round's, not twice it.
    const allocated = async () => {
      const budget = await fetch(`${allocationUrl}/v1/budgets/${demo.budgetId}`, {
        headers: admin(adminKey),
      });
      return ((await budget.json()) as { allocated: string }).allocated;
    };
    const round = await fetch(
      `${allocationUrl}/v1/budgets/${demo.budgetId}/allocations/${DEMO_ALLOCATION_ID}`,
      { headers: admin(adminKey) },
    );
    const roundAmount = ((await round.json()) as { amount: string }).amount;
    expect(await allocated()).toBe(roundAmount);

    // The seed run once more against the running system: it completes, same ids, nothing added.
    const again = await seedDemo({
      urls: {
        allocation: allocationUrl,
        ingestion: `http://127.0.0.1:${servicePorts.ingestion}`,
        billing: `http://127.0.0.1:${servicePorts.billing}`,
      },
      adminKey,
    });
    expect({
      perimeterId: again.perimeterId,
      budgetId: again.budgetId,
      units: again.units,
      integratorId: again.integrator.integratorId,
      resumed: again.resumed,
    }).toEqual({
      perimeterId: demo.perimeterId,
      budgetId: demo.budgetId,
      units: demo.units,
      integratorId: demo.integrator.integratorId,
      resumed: true,
    });
    expect(again.integrator.keyId).not.toBe(demo.integrator.keyId);
    expect(await allocated()).toBe(roundAmount);

    second.child.kill('SIGTERM');
    expect(await exitWithin(second, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
  });

  it('refuses KAFKA_BROKERS without DATABASE_URL, naming DATABASE_URL', async () => {
    const env = {
      ...embeddedEnvironment(await systemPorts()),
      KAFKA_BROKERS: kafkaBrokers().join(','),
    };
    const result = await runToCompletion(startScript(), env, 30_000);
    expect(result.code).toBe(1);
    expect(output(result)).toContain('KAFKA_BROKERS is set but DATABASE_URL is not');
  });

  it('names CONSOLE_PORT when the console cannot listen, and stops the rest, exit 1', async () => {
    const servicePorts = await systemPorts();
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(servicePorts.console, '127.0.0.1', done));
    try {
      const env = embeddedEnvironment(servicePorts, {
        PLAFOND_DATA_DIR: join(root, 'busy-console'),
        PLAFOND_DEMO: 'false',
      });
      const result = await runToCompletion(startScript(), env, 120_000);
      expect(result.code).toBe(1);
      expect(output(result)).toContain(
        `the web console cannot listen on 127.0.0.1:${servicePorts.console} (EADDRINUSE): ` +
          'set CONSOLE_PORT to a free port, or PLAFOND_CONSOLE=false',
      );
      // The services it started first are stopped again.
      await expect(
        fetch(`http://127.0.0.1:${servicePorts.allocation}/health/live`),
      ).rejects.toThrow();
    } finally {
      await new Promise((done) => busy.close(done));
    }
  });
});

describe('a service stopped during its start-up', () => {
  it('logs a line and exits 0 on SIGTERM while the database does not answer yet', async () => {
    const closed = await freePort();
    const service = startProcess(serviceEntryPoint('allocation'), {
      ...baseEnvironment(),
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nowhere`,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOG_LEVEL: 'info',
    });
    try {
      await waitForLine(service, /"msg":"configuration loaded"/, 30_000);
      service.child.kill('SIGTERM');
      expect(await exitWithin(service, STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
      expect(service.jsonLines()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            msg: 'stop requested during start-up; exiting',
            signal: 'SIGTERM',
          }),
        ]),
      );
      expect(service.jsonLines().map((line) => line.msg)).not.toContain('start failed');
    } finally {
      await killIfRunning(service);
    }
  });
});
