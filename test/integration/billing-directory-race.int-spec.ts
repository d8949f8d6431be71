// Billing's two inbox consumers are not ordered: a usage may reach billing before the unit and
// use case it names (allocation's events on billing's other consumer). Charging it then would
// take the default profile and multiplier, wrong money without a trace. Here, on the ledger-log
// transport (the embedded default: three services in one process on one database, no broker),
// billing's allocation consumer is held back while allocation creates a unit and a use case and
// an integrator posts usage for them: billing refuses the usage (retryable, nothing booked, no
// dead letter, visible in /v1/admin/messaging), then, once its allocation consumer runs again,
// charges it once at the use case's class multiplier and the profile inherited from the parent.
// (The same over Kafka: apps/billing/src/messaging/messaging.int-spec.ts.)
import { waitFor } from '@plafond/testing';
import type { Pool } from 'pg';
import {
  AllocationEventsConsumer as BillingAllocationConsumer,
  type BillingMessagingReport,
} from '../../apps/billing/src/messaging';
import { client } from './allocation-service';
import { registerIntegrator } from './ingestion-service';
import { startLedgerLogSystem, type LedgerLogSystem } from './ledger-log-system';
import type { InProcessApplication } from './service-harness';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const SOURCE = 'urn:acme:llm-gateway';

let system: LedgerLogSystem;
let pool: Pool;
let adminKey: string;
let allocation: InProcessApplication;
let ingestion: InProcessApplication;
let billing: InProcessApplication;

beforeAll(async () => {
  system = await startLedgerLogSystem({ databaseName: 'billing-directory-race' });
  ({ pool, adminKey, allocation, ingestion, billing } = system);
}, 60_000);

afterAll(async () => {
  await system?.close();
});

interface LineRow {
  kind: string;
  amount: string;
  multiplier: string;
  usefulness_class: string | null;
  currency: string;
  cost_centre: string;
}

const lines = async (): Promise<LineRow[]> =>
  (
    await pool.query<LineRow>(
      `SELECT kind, amount_micro::text AS amount, multiplier_ppm::text AS multiplier,
              usefulness_class, currency, cost_centre
         FROM billing.charge_lines WHERE unit_id = 'search' ORDER BY global_position`,
    )
  ).rows;

it('waits for the unit and the use case, then charges the usage once at the right class and profile', async () => {
  const allocationAdmin = client(allocation.baseUrl, adminKey);
  const ingestionAdmin = client(ingestion.baseUrl, adminKey);
  const billingAdmin = client(billing.baseUrl, adminKey);
  const now = Date.now();

  // 1. The parent unit, known to billing, billed to cost centre CC-ACME; a EUR schedule.
  expect(
    (await allocationAdmin.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }))
      .status,
  ).toBe(201);
  const financeKey = await billingAdmin.post<{ key: string }>('/v1/api-keys', {
    name: 'controller',
    role: 'finance',
  });
  const finance = client(billing.baseUrl, financeKey.body.key);
  await waitFor(
    async () =>
      (await finance.put('/v1/billing-profiles/acme', { currency: 'EUR', costCentre: 'CC-ACME' }))
        .status === 200,
    { timeoutMs: 20_000, intervalMs: 100, description: 'billing to know acme' },
  );
  // 100 EUR/t, 0.25 EUR/kWh, standard × 1.25; the default multiplier (1) must not be used.
  const schedule = await finance.post('/v1/price-schedules', {
    currency: 'EUR',
    effectiveFrom: new Date(now - 2 * DAY_MS).toISOString(),
    carbonPricePerTonne: '100.00',
    energyPricePerKwh: '0.25',
    classMultipliers: { essential: '1', standard: '1.25' },
    defaultMultiplier: '1',
    overrunTiers: [],
    reason: 'directory race test',
  });
  expect(schedule.status).toBe(201);

  // 2. Billing's allocation consumer falls behind (held back); allocation creates the unit and
  //    the use case, which ingestion learns on its own consumer and accepts usage for.
  const billingAllocation = billing.app.get(BillingAllocationConsumer, { strict: false });
  await billingAllocation.stop();
  const created = [
    await allocationAdmin.post('/v1/units', { unitId: 'search', parentId: 'acme', name: 'Search' }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'code-assist',
      className: 'standard',
      description: 'Coding assistant',
    }),
  ];
  expect(created.map((answer) => answer.status)).toEqual([201, 201]);
  const integrator = client(
    ingestion.baseUrl,
    await registerIntegrator(ingestionAdmin, SOURCE, ['search']),
  );
  await waitFor(
    async () => {
      const answer = await integrator.post<{ items: { status: string }[] }>('/v1/usage', [
        {
          id: 'early-1',
          unitId: 'search',
          useCase: 'code-assist',
          model: 'meta-llama/meta-llama-3.1-70b-instruct',
          region: 'fr',
          requests: '3',
          measuredEnergyMicroWh: '1200000000',
          occurredAt: new Date(now - 60_000).toISOString(),
        },
      ]);
      return answer.body.items?.[0]?.status === 'accepted';
    },
    { timeoutMs: 30_000, intervalMs: 100, description: 'ingestion to accept the usage' },
  );

  // 3. Billing refuses it, retryably, again and again: nothing booked, nothing dead-lettered.
  const report = async () =>
    (await billingAdmin.get<BillingMessagingReport>('/v1/admin/messaging')).body;
  const waiting = await waitFor(
    async () => {
      const body = await report();
      const entry = body.usageConsumer.awaitingDirectory[0];
      return entry !== undefined && entry.attempts >= 2 ? body : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, description: 'billing to refuse the usage twice' },
  );
  expect(waiting.usageConsumer.awaitingDirectory).toEqual([
    expect.objectContaining({
      unitId: 'search',
      useCase: 'code-assist',
      unknownUnitIds: ['search'],
      unknownUseCase: 'code-assist',
      partition: 0,
      lastError: expect.objectContaining({ code: 'BILLING.DIRECTORY_BEHIND' }) as unknown,
    }),
  ]);
  expect(waiting.usageConsumer.ledgerLog?.subscription.lastError).toMatchObject({
    code: 'BILLING.DIRECTORY_BEHIND',
  });
  expect(waiting.deadLetters.count).toBe(0);
  expect(await lines()).toEqual([]);
  expect(
    billing.logLines.some(
      (line) => line.includes('"level":"warn"') && line.includes('usage waits for allocation'),
    ),
  ).toBe(true);

  // 4. Billing's allocation consumer catches up: the usage is charged, once.
  billingAllocation.start();
  await waitFor(async () => (await lines()).length === 1, {
    timeoutMs: 30_000,
    intervalMs: 100,
    description: 'billing to charge the usage once the directory caught up',
  });
  const { rows: recorded } = await pool.query<{ energy: string; carbon: string }>(
    `SELECT data->>'energyMicroWh' AS energy, data->>'carbonMicroGrams' AS carbon
       FROM ingestion.events WHERE event_type = 'UsageRecorded'`,
  );
  // 1.2 kWh measured in fr (81.3 gCO2e/kWh): 97.56 g. (97 560 000 µg × 100 / 10^6 = 9 756
  // + 1 200 000 000 µWh × 0.25 / 10^3 = 300 000) × 1.25 = 387 195 µEUR.
  expect(recorded).toEqual([{ energy: '1200000000', carbon: '97560000' }]);
  expect(await lines()).toEqual([
    {
      kind: 'usage',
      amount: '387195',
      multiplier: '1250000',
      usefulness_class: 'standard',
      currency: 'EUR',
      cost_centre: 'CC-ACME',
    },
  ]);
  const after = await report();
  expect(after.usageConsumer.awaitingDirectory).toEqual([]);
  expect(after.usageConsumer.counts).toMatchObject({ charged: 1, deadLettered: 0 });
  expect(after.deadLetters.count).toBe(0);
});
