// The three services in one process, on one database (a schema each) and NO Kafka: every inbox
// consumer reads the producer's ledger in place (the embedded mode's `ledger-log` transport, as
// the embedded host composes it with `MessageTransportModule.forRoot`). The brokers configured
// are a closed port, so any Kafka connection attempt would show in the logs. Allocation's HTTP
// API sets up a unit, a use case and a budget; ingestion learns them from allocation's ledger;
// usage posted over ingestion's HTTP is debited by allocation and charged by billing, both from
// ingestion's ledger. Then: a consumer rewound to the start of the log applies nothing twice,
// and a poison event on ingestion's ledger is dead-lettered while the next usage still applies.
import {
  CheckpointRepository,
  PostgresEventStore,
  START_CHECKPOINT,
  pgPoolSource,
} from '@plafond/ledger';
import { waitFor } from '@plafond/testing';
import type { Pool } from 'pg';
import { periodOf } from '../../apps/billing/src/domain/periods';
import { UsageRecordedConsumer as BillingUsageConsumer } from '../../apps/billing/src/messaging';
import { ingestionLedgerLogProducer } from '../../apps/ingestion/src/messaging';
import { client, type Client } from './allocation-service';
import { registerIntegrator } from './ingestion-service';
import { startLedgerLogSystem, type LedgerLogSystem } from './ledger-log-system';
import type { InProcessApplication } from './service-harness';

jest.setTimeout(60_000);

type Json = Record<string, unknown>;
const DAY_MS = 86_400_000;
const SOURCE = 'urn:acme:llm-gateway';
const BUDGET = 'energy-embedded';

let system: LedgerLogSystem;
let pool: Pool;
let allocation: InProcessApplication;
let ingestion: InProcessApplication;
let billing: InProcessApplication;
let allocationAdmin: Client;
let ingestionAdmin: Client;
let billingAdmin: Client;
let integrator: Client;

beforeAll(async () => {
  system = await startLedgerLogSystem({
    databaseName: 'ledger-log-system',
    billingEnv: {
      BILLING_EXPENSE_ACCOUNT: '6980-AI-CARBON',
      BILLING_CARBON_FUND_ACCOUNT: '4890-CARBON-FUND',
    },
  });
  ({ pool, allocation, ingestion, billing } = system);
  allocationAdmin = client(allocation.baseUrl, system.adminKey);
  ingestionAdmin = client(ingestion.baseUrl, system.adminKey);
  billingAdmin = client(billing.baseUrl, system.adminKey);
}, 60_000);

afterAll(async () => {
  await system?.close();
});

/** Energy of a usage as ingestion recorded it (ledger data is the contract's JSON). */
async function recordedEnergy(reportedId: string): Promise<string> {
  const { rows } = await pool.query<{ energy: string }>(
    `SELECT data->>'energyMicroWh' AS energy FROM ingestion.events
      WHERE event_type = 'UsageRecorded' AND data->>'reportedId' = $1`,
    [reportedId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.energy;
}

const usage = (id: string, energyMicroWh: string) => ({
  id,
  unitId: 'search',
  useCase: 'code-assist',
  model: 'meta-llama/meta-llama-3.1-70b-instruct',
  region: 'fr',
  requests: '3',
  measuredEnergyMicroWh: energyMicroWh,
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
});

async function post(id: string, energyMicroWh: string): Promise<string | undefined> {
  const answer = await integrator.post<{ items: { status: string }[] }>('/v1/usage', [
    usage(id, energyMicroWh),
  ]);
  return answer.body.items?.[0]?.status;
}

const committed = async () =>
  (await allocationAdmin.get<{ committed: string }>(`/v1/budgets/${BUDGET}/units/search/balance`))
    .body.committed;

async function chargedLines(finance: Client): Promise<number> {
  const answer = await finance.get<{ currencies: { lines: number }[] }>(
    `/v1/units/search/statement?period=${periodOf(new Date())}`,
  );
  expect(answer.status).toBe(200);
  return answer.body.currencies.reduce((total, currency) => total + currency.lines, 0);
}

it('carries events between the three services through their ledgers, with no broker', async () => {
  // 1. Allocation: a unit tree, a use case and an allocated budget.
  const now = Date.now();
  const created = [
    await allocationAdmin.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
    await allocationAdmin.post('/v1/units', { unitId: 'search', parentId: 'acme', name: 'Search' }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'code-assist',
      className: 'standard',
      description: 'Coding assistant',
    }),
    await allocationAdmin.post('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: {
        kind: 'range',
        startsOn: new Date(now - DAY_MS).toISOString().slice(0, 10),
        endsOn: new Date(now + 2 * DAY_MS).toISOString().slice(0, 10),
      },
      ceiling: '100000000000',
      reason: 'ledger-log transport test',
    }),
    await allocationAdmin.post(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-1',
      policies: {
        acme: {
          rule: { kind: 'static', members: [{ childId: 'search', amount: '50000000000' }] },
        },
      },
      reason: 'ledger-log transport test',
    }),
  ];
  expect(
    created.map((answer) => [answer.status, answer.status === 201 ? '' : answer.body]),
  ).toEqual(created.map(() => [201, '']));

  // 2. Billing prices (it learns the unit and the use case from allocation's ledger).
  const financeKey = await billingAdmin.post<{ key: string }>('/v1/api-keys', {
    name: 'controller',
    role: 'finance',
  });
  expect(financeKey.status).toBe(201);
  const finance = client(billing.baseUrl, financeKey.body.key);
  const schedule = await finance.post('/v1/price-schedules', {
    currency: 'EUR',
    effectiveFrom: new Date(now - 2 * DAY_MS).toISOString(),
    carbonPricePerTonne: '100.00',
    energyPricePerKwh: '0.25',
    classMultipliers: { essential: '1', standard: '1.25', discretionary: '2' },
    defaultMultiplier: '1',
    overrunTiers: [],
    reason: 'ledger-log transport test',
  });
  expect(schedule.status).toBe(201);

  // 3. An integrator posts usage over ingestion's HTTP, accepted once ingestion knows the unit.
  integrator = client(
    ingestion.baseUrl,
    await registerIntegrator(ingestionAdmin, SOURCE, ['search']),
  );
  await waitFor(async () => (await post('u1', '1200000000')) === 'accepted', {
    timeoutMs: 30_000,
    intervalMs: 100,
    description: 'ingestion to know unit search and use case code-assist',
  });
  const energy1 = await recordedEnergy('u1');

  // 4. Allocation debits it and billing charges it, both from ingestion's ledger.
  await waitFor(async () => (await committed()) === energy1, {
    timeoutMs: 20_000,
    intervalMs: 100,
    description: 'allocation to debit u1',
  });
  await waitFor(async () => (await chargedLines(finance)) === 1, {
    timeoutMs: 20_000,
    intervalMs: 100,
    description: 'billing to charge u1',
  });

  // The admin status endpoints show the transport: relays off, consumers reading ledgers.
  const billingStatus = await billingAdmin.get<Json>('/v1/admin/messaging');
  expect(billingStatus.status).toBe(200);
  expect(billingStatus.body).toMatchObject({
    transport: 'ledger-log',
    relay: { enabled: false, transport: 'ledger-log', state: 'idle' },
    usageConsumer: {
      state: 'running',
      transport: 'ledger-log',
      ledgerLog: { producer: 'ingestion', subscription: { state: 'running' } },
      lag: { eventsBehind: 0 },
    },
    allocationConsumer: {
      state: 'running',
      transport: 'ledger-log',
      ledgerLog: { producer: 'allocation' },
    },
  });
  const ingestionStatus = await ingestionAdmin.get<Json>('/v1/admin/messaging');
  expect(ingestionStatus.body).toMatchObject({
    transport: 'ledger-log',
    relay: {
      enabled: false,
      state: 'idle',
      disabledReason: expect.stringContaining('ledger-log transport') as unknown,
      lag: { error: expect.stringContaining('the relay does not run') as unknown },
    },
    rawConsumer: { enabled: false, state: 'idle', transport: 'ledger-log' },
    allocationConsumer: { state: 'running', ledgerLog: { producer: 'allocation' } },
  });

  // 5. Redelivery: billing's consumer rewound to the start of ingestion's log reads every event
  //    again; the inbox applies none of them twice.
  const consumer = billing.app.get(BillingUsageConsumer, { strict: false });
  await consumer.stop();
  const before = consumer.status().ledgerLog!;
  const checkpointName = before.checkpointName;
  const billingStore = new PostgresEventStore({
    schema: 'billing',
    connection: pgPoolSource(pool),
  });
  await billingStore.transaction((tx) =>
    new CheckpointRepository('billing').reset(tx.sql, checkpointName, START_CHECKPOINT),
  );
  consumer.start();
  await waitFor(async () => (await consumer.lag())?.eventsBehind === 0, {
    timeoutMs: 20_000,
    intervalMs: 100,
    description: 'the rewound consumer to read the log again',
  });
  // Read again (processed), applied never (delivered is the count of inbox rows written).
  const after = consumer.status().ledgerLog!.subscription;
  expect(after.eventsProcessed).toBeGreaterThan(before.subscription.eventsProcessed);
  expect(after.eventsDelivered).toBe(before.subscription.eventsDelivered);
  expect(consumer.status().counts.duplicate).toBe(0);
  expect(await chargedLines(finance)).toBe(1);

  // 6. A poison event on ingestion's ledger (a usage.recorded whose data breaks the contract):
  //    both consumers dead-letter it and move on to the next usage.
  const ingestionStore = new PostgresEventStore({
    schema: 'ingestion',
    connection: pgPoolSource(pool),
  });
  await ingestionStore.appendToStream('poison-usage', [
    {
      type: 'UsageRecorded',
      data: { unitId: 'search', energyMicroWh: 'not a number' },
      metadata: { partitionKey: 'search', occurredAt: new Date().toISOString() },
    },
  ]);
  expect(await post('u2', '800000000')).toBe('accepted');
  const energy2 = await recordedEnergy('u2');
  await waitFor(
    async () => (await committed()) === (BigInt(energy1) + BigInt(energy2)).toString(),
    {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: 'allocation to debit u2 past the poison event',
    },
  );
  await waitFor(async () => (await chargedLines(finance)) === 2, {
    timeoutMs: 20_000,
    intervalMs: 100,
    description: 'billing to charge u2 past the poison event',
  });
  const billingLetters = await billingAdmin.get<{ deadLetters: { count: number } }>(
    '/v1/admin/messaging',
  );
  expect(billingLetters.body.deadLetters.count).toBe(1);
  const { rows: allocationLetters } = await pool.query<{ topic: string; partition: number }>(
    'SELECT topic, partition FROM allocation.dead_letters',
  );
  expect(allocationLetters).toEqual([
    {
      topic: ingestionLedgerLogProducer(system.configs.ingestion).topics[0],
      partition: 0,
    },
  ]);

  // Nothing tried to reach a broker: no kafkajs log line, no connection error.
  const kafkaLines = [...allocation.logLines, ...ingestion.logLines, ...billing.logLines].filter(
    (line) => /"context":"Kafka|ECONNREFUSED|broker/i.test(line),
  );
  expect(kafkaLines).toEqual([]);
});
