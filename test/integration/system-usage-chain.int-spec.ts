// The whole usage chain in one process, on one database (a schema per service) and shared
// run-unique topics: allocation's HTTP API sets up units, a use case, a budget, an allocation and
// a reservation; ingestion learns the unit and use case from allocation.events; an integrator
// posts usage over ingestion's HTTP; allocation debits it from usage.recorded and commits the
// reservation the usage names.
import { TOPICS } from '@plafond/contracts';
import { loadConfig, provisionTopics } from '@plafond/platform';
import { kafkaBrokers, waitFor } from '@plafond/testing';
import { Pool } from 'pg';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import {
  client,
  prepareAllocationInfrastructure,
  startInProcess,
  type AllocationInfrastructure,
  type Client,
  type InProcessService,
} from './allocation-service';
import {
  ingestionDefinition,
  SCHEMA as INGESTION_SCHEMA,
  startIngestionInProcess,
  type InProcessIngestion,
  type IngestionInfrastructure,
  registerIntegrator,
} from './ingestion-service';
import { migrateService } from './service-harness';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const SOURCE = 'urn:acme:llm-gateway';
const BUDGET = 'energy-chain';

let allocationInfra: AllocationInfrastructure;
let ingestionInfra: IngestionInfrastructure;
let allocation: InProcessService;
let ingestion: InProcessIngestion;
let allocationAdmin: Client;
let ingestionAdmin: Client;

beforeAll(async () => {
  allocationInfra = await prepareAllocationInfrastructure('usage-chain');
  const { adminKey, env: allocationEnv } = allocationInfra;
  // Ingestion on the same database (its own schema) and the same topic prefix.
  const env = {
    ...allocationEnv,
    DATABASE_SCHEMA: INGESTION_SCHEMA,
    KAFKA_CLIENT_ID: `${allocationEnv.KAFKA_TOPIC_PREFIX ?? ''}ingestion`.slice(0, 100),
  };
  await migrateService(
    allocationInfra.database.url,
    ingestionDefinition(loadConfig(IngestionConfig, env)),
    INGESTION_SCHEMA,
  );
  await provisionTopics(kafkaBrokers(), [TOPICS.usageRaw, TOPICS.usageRejected], {
    prefix: allocationEnv.KAFKA_TOPIC_PREFIX ?? '',
  });
  const pool = new Pool({ connectionString: allocationInfra.database.url, max: 2 });
  ingestionInfra = {
    database: allocationInfra.database,
    pool,
    env,
    adminKey,
    close: () => pool.end(),
  };
  allocation = await startInProcess(allocationInfra);
  ingestion = await startIngestionInProcess(ingestionInfra);
  allocationAdmin = client(allocation.baseUrl, adminKey);
  ingestionAdmin = client(ingestion.baseUrl, adminKey);
}, 60_000);

afterAll(async () => {
  await ingestion?.close();
  await allocation?.close();
  await ingestionInfra?.close();
  await allocationInfra?.close();
});

it('debits usage posted to ingestion from the unit balance in allocation and commits its reservation', async () => {
  const now = Date.now();
  const created = [
    await allocationAdmin.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
    await allocationAdmin.post('/v1/units', {
      unitId: 'search',
      parentId: 'acme',
      name: 'Search',
      attributes: { effectiveFrom: '2020-01-01', values: { headcount: '10' } },
    }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'support-chat',
      className: 'essential',
      description: 'Support chat',
    }),
    await allocationAdmin.post('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'range', startsOn: dateOf(now - DAY_MS), endsOn: dateOf(now + 2 * DAY_MS) },
      ceiling: '100000000000',
      reason: 'chain test',
    }),
    await allocationAdmin.post(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-1',
      policies: {
        acme: {
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
        },
      },
      reason: 'chain test',
    }),
    await allocationAdmin.post('/v1/reservations', {
      reservationId: 'job-1',
      unitId: 'search',
      useCase: 'support-chat',
      amount: '1000000000',
      timeoutMs: 600_000,
    }),
  ];
  expect(created.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201]);

  const integrator = client(
    ingestion.baseUrl,
    await registerIntegrator(ingestionAdmin, SOURCE, ['search']),
  );
  const report = () =>
    integrator.post<{ items: Array<{ status: string; error?: { code: string } }> }>('/v1/usage', [
      {
        id: 'chat-1',
        unitId: 'search',
        useCase: 'support-chat',
        reservationId: 'job-1',
        model: 'meta-llama-3.1-70b-instruct',
        region: 'fr',
        inputTokens: '1200',
        outputTokens: '350',
        occurredAt: new Date(now - 60_000).toISOString(),
      },
    ]);
  // Accepted once ingestion has learned the unit and use case from allocation.events.
  await waitFor(async () => (await report()).body.items[0]?.status === 'accepted', {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'ingestion to know unit search and use case support-chat',
  });
  const { rows } = await ingestionInfra.pool.query<{ energy: string }>(
    `SELECT data->>'energyMicroWh' AS energy FROM "${INGESTION_SCHEMA}".events
      WHERE event_type = 'UsageRecorded' AND data->>'reportedId' = 'chat-1'`,
  );
  expect(rows).toHaveLength(1);
  const energy = rows[0]?.energy as string;
  expect(BigInt(energy)).toBeGreaterThan(0n);

  const balance = await waitFor(
    async () => {
      const answer = await allocationAdmin.get<{ committed: string; reserved: string }>(
        `/v1/budgets/${BUDGET}/units/search/balance`,
      );
      return answer.body.committed === energy ? answer.body : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'the usage committed in allocation' },
  );
  expect(balance.reserved).toBe('0');
  const reservation = await allocationAdmin.get<{ status: string; committedAmount: string }>(
    '/v1/reservations/job-1',
  );
  expect(reservation.body).toMatchObject({ status: 'committed', committedAmount: energy });
});
