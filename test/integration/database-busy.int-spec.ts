// A request that finds no free database connection within the pool's timeout is refused
// `503 SERVICE.BUSY` with `Retry-After`, never `500 INTERNAL`, and does nothing: retried with the
// same body once the pool is free, it succeeds, once. This is what an overloaded embedded host
// (one PGlite session behind the pools) answers in a burst. Made deterministic here: allocation
// runs with a pool of ONE connection, as the embedded host composes it (ledger-log transport, no
// broker), and the test holds that connection while the request is in flight.
import { MessageTransportModule } from '@plafond/messaging';
import { generateApiKey, loadConfig } from '@plafond/platform';
import { createTestDatabase, waitFor, type TestDatabase } from '@plafond/testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { AllocationConfig } from '../../apps/allocation/src/config';
import { ALLOCATION_SERVICE } from '../../apps/allocation/src/definition';
import { allocationLedgerLogProducer } from '../../apps/allocation/src/messaging';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import { INGESTION_SERVICE } from '../../apps/ingestion/src/definition';
import { ingestionLedgerLogProducer } from '../../apps/ingestion/src/messaging';
import { migrateService, startServiceInProcess } from './service-harness';

jest.setTimeout(60_000);

/** Nothing listens here: nothing in this test may reach a broker. */
const NO_BROKER = '127.0.0.1:1';
/** Short, so the refused request is answered quickly; the test holds the connection until then. */
const CONNECT_TIMEOUT_MS = 300;

let database: TestDatabase;
let app: INestApplication | undefined;
let baseUrl: string;
const adminKey = generateApiKey().key;
let logLines: string[] = [];

function send(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The pool's only connection, taken as soon as the background consumers let go of it. */
async function holdTheOnlyConnection(dataSource: DataSource): Promise<QueryRunner> {
  let held: QueryRunner | undefined;
  await waitFor(
    async () => {
      const runner = dataSource.createQueryRunner();
      try {
        await runner.connect();
        held = runner;
        return true;
      } catch {
        await runner.release().catch(() => undefined);
        return false;
      }
    },
    { timeoutMs: 20_000, intervalMs: 10, description: 'the pool connection to be free' },
  );
  return held as QueryRunner;
}

beforeAll(async () => {
  database = await createTestDatabase('database-busy');
  await migrateService(database.url, ALLOCATION_SERVICE, 'allocation');
  await migrateService(database.url, INGESTION_SERVICE, 'ingestion');
  const env = (schema: string) => ({
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: schema,
    KAFKA_BROKERS: NO_BROKER,
    ADMIN_API_KEY: adminKey,
  });
  const config = loadConfig(AllocationConfig, { ...env('allocation'), DATABASE_POOL_MAX: '1' });
  const ingestionConfig = loadConfig(IngestionConfig, env('ingestion'));
  const started = await startServiceInProcess('allocation', ALLOCATION_SERVICE, config, adminKey, {
    imports: [
      MessageTransportModule.forRoot({
        kind: 'ledger-log',
        producers: [
          allocationLedgerLogProducer(config),
          ingestionLedgerLogProducer(ingestionConfig),
        ],
      }),
    ],
    kafkaReadiness: false,
    databaseConnectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  app = started.app;
  baseUrl = started.baseUrl;
  logLines = started.logLines;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

it('refuses a request with no free connection as 503 SERVICE.BUSY, and the retry applies once', async () => {
  const useCase = {
    useCase: 'busy-assistant',
    className: 'essential',
    description: 'Registered while the pool is busy',
  };
  const held = await holdTheOnlyConnection((app as INestApplication).get(DataSource));
  let refused: Response;
  try {
    refused = await send('POST', '/v1/use-cases', useCase);
  } finally {
    await held.release();
  }
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.json()).toMatchObject({
    code: 'SERVICE.BUSY',
    message: expect.stringContaining('Retry the same request') as unknown,
  });
  expect(logLines.join('\n')).toContain('"msg":"request refused: busy"');
  expect(logLines.join('\n')).not.toContain('"code":"INTERNAL"');

  // Nothing was registered: the same request now succeeds, and the use case exists once.
  let created: Response | undefined;
  await waitFor(
    async () => {
      created = await send('POST', '/v1/use-cases', useCase);
      return created.status !== 503;
    },
    { timeoutMs: 20_000, intervalMs: 50, description: 'the retry to find a free connection' },
  );
  expect(created?.status).toBe(201);
  const listed = (await (await send('GET', '/v1/use-cases')).json()) as { useCase: string }[];
  expect(listed.filter((entry) => entry.useCase === useCase.useCase)).toHaveLength(1);
});
