// Each service as it runs in production: the built entry point as its own process, on a real
// PostgreSQL database (migrated by the real script) and the real Kafka broker, over real HTTP.
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  TestDatabase,
  uniqueTopicPrefix,
  waitFor,
} from '@plafond/testing';
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

/** Well above what a graceful stop takes here, well below SHUTDOWN_TIMEOUT_MS's forced exit. */
const STOP_BOUND_MS = 15_000;
/** Trust auth ignores it; it is in the URL so the test can prove no log line ever carries it. */
const DATABASE_PASSWORD = 'e2e-Secret-9f3a7c';

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = DATABASE_PASSWORD;
  return parsed.toString();
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('e2e-services');
  const migrate = await runToCompletion(
    builtFile('dist/scripts/migrate.js'),
    { ...baseEnvironment(), DATABASE_URL: database.url },
    60_000,
  );
  expect(migrate.code).toBe(0);
}, 90_000);

afterAll(async () => {
  await database?.drop();
});

describe.each(SERVICE_NAMES)('the %s service', (service) => {
  let running: RunningProcess | undefined;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = startProcess(serviceEntryPoint(service), {
      ...baseEnvironment(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: withPassword(database.url),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(`e2e-${service}`),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const started = running;
    await waitFor(
      async () => {
        if (started.child.exitCode !== null) {
          throw new Error(`exited with ${started.child.exitCode}: ${started.stderr.join('\n')}`);
        }
        const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3000) });
        return response.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `${service} /health/ready to answer 200` },
    );
  }, 90_000);

  afterAll(async () => {
    await killIfRunning(running);
  });

  it('is ready: PostgreSQL and Kafka answer', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      checks: {
        database: { status: 'up', schema: service },
        kafka: { status: 'up', brokers: expect.any(Number) },
      },
    });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('serves an OpenAPI document that says what it owns', async () => {
    const response = await fetch(`${base}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      info: { title: string; description: string };
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info.title).toBe(`Plafond ${service}`);
    expect(document.info.description.length).toBeGreaterThan(80);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready']),
    );
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/html/);
  });

  it('logs JSON lines carrying the caller’s correlation id', async () => {
    const correlationId = `e2e-${service}-1`;
    const response = await fetch(`${base}/no-such-route`, {
      headers: { 'x-correlation-id': correlationId },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    expect(await response.json()).toMatchObject({ code: 'REQUEST.NOT_FOUND' });
    const started = running as RunningProcess;
    const line = await waitFor(
      () => started.jsonLines().find((entry) => entry.correlationId === correlationId),
      { timeoutMs: 5000, description: 'the access log line' },
    );
    expect(line).toMatchObject({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'info',
      service,
      context: 'Http',
      msg: 'request completed',
      correlationId,
      method: 'GET',
      path: '/no-such-route',
      status: 404,
    });
  });

  it('answers malformed JSON with REQUEST.MALFORMED_JSON', async () => {
    const response = await fetch(`${base}/health/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 'REQUEST.MALFORMED_JSON',
      message: 'The request body is not valid JSON.',
      details: {},
    });
  });

  it('stops on SIGTERM with exit code 0, having written only JSON and no secret', async () => {
    const started = running as RunningProcess;
    started.child.kill('SIGTERM');
    const exit = await exitWithin(started, STOP_BOUND_MS);
    expect(exit).toEqual({ code: 0, signal: null });
    const lines = started.jsonLines();
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'configuration loaded',
        'shutting down',
        'HTTP drained',
        'shutdown complete',
      ]),
    );
    expect(lines.every((line) => line.service === service)).toBe(true);
    expect(started.stderr).toEqual([]);
    expect(started.stdout.join('\n')).not.toContain(DATABASE_PASSWORD);
  }, 30_000);
});
