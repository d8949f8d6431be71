// The three services in one process, on one database (a schema each) and one set of run-unique
// topics of the real broker: allocation's HTTP API sets up the unit tree, use cases with their
// usefulness classes and a budget from the start of the previous calendar month to tomorrow with
// its allocation (allocation refuses to allocate a budget whose period has ended);
// ingestion and billing learn units and use cases from allocation.events; a finance key publishes
// the price schedule; an integrator posts usage over ingestion's HTTP; billing charges it from
// usage.recorded while allocation debits it and announces the overrun on allocation.events,
// which billing surcharges. Then, over billing's HTTP: the statement rolled up the tree, the close
// of the previous month into gapless invoices, late usage of that month billed as an adjustment
// of its invoice in the current month, the journal export against the invoices, reconciliation
// of both months, the replay of the books and the ledger's hash chains.
//
// Every amount below is computed by hand (comments) with the documented rule:
//   exact = (carbonµg × 100 000 000 / 10^12 + energyµWh × 250 000 / 10^9) × class multiplier,
//   rounded once per line, half away from zero.
// Usage reports measured energy in region `fr` (81.3 gCO2e/kWh, no PUE), so ingestion records
// energy as sent and carbon = energy × 81.3 / 1000 (exact: every energy is a multiple of 10 000).
import { TOPICS, topicName } from '@plafond/contracts';
import { loadConfig, provisionTopics } from '@plafond/platform';
import { kafkaBrokers, waitFor } from '@plafond/testing';
import { Pool } from 'pg';
import { JOURNAL_CSV_COLUMNS, parseCsv } from '../../apps/billing/src/domain/csv';
import { periodBounds, periodOf, previousPeriod } from '../../apps/billing/src/domain/periods';
import { IngestionConfig } from '../../apps/ingestion/src/config';
import {
  client as allocationClient,
  prepareAllocationInfrastructure,
  startInProcess as startAllocationInProcess,
  type AllocationInfrastructure,
  type Client as AllocationClient,
  type InProcessService,
} from './allocation-service';
import {
  BILLING_TEST_DEFINITION,
  client as billingClient,
  createKey,
  SCHEMA as BILLING_SCHEMA,
  startBillingInProcess,
  type BillingInfrastructure,
  type Client as BillingClient,
  type InProcessBilling,
} from './billing-service';
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

type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
const SOURCE = 'urn:acme:llm-gateway';
const USAGE_SOURCE = '/plafond/ingestion';
const BUDGET = 'energy-since-previous-month';
const LLAMA = 'meta-llama/meta-llama-3.1-70b-instruct';
const MISTRAL = 'mistralai/mistral-7b-instruct-v0.3';

// Periods from the real date: P (the previous month) is closed by the test, C is the current one.
const NOW = Date.now();
const C = periodOf(new Date(NOW));
const P = previousPeriod(C);
const START_P = periodBounds(P).startsAt.getTime();
const START_C = periodBounds(C).startsAt.getTime();
/** Day `day` of P at `hour`:00 UTC. */
const inP = (day: number, hour: number) =>
  new Date(START_P + (day - 1) * DAY_MS + hour * 3_600_000).toISOString();
/** A minute ago, but never before C started. */
const inC = (secondsAgo: number) =>
  new Date(Math.max(START_C + 1000, NOW - secondsAgo * 1000)).toISOString();

interface Usage {
  id: string;
  unitId: string;
  useCase: string;
  model: string;
  requests: string;
  energyMicroWh: bigint;
  carbonMicroGrams: bigint;
  occurredAt: string;
  /** The charge line, hand-computed. */
  amountMicro: bigint;
}

// Price: 100 EUR/t CO2e, 0.25 EUR/kWh; essential ×1, standard ×1.25, discretionary ×2.
const USAGE = {
  // search, standard: 1.23456 kWh → 308 640 µ; 100.369728 g → 10 036.9728 µ;
  // 318 676.9728 × 1.25 = 398 346.216 → 398 346. Within search's allocation (2 kWh).
  u1: {
    id: 'u1',
    unitId: 'search',
    useCase: 'code-assist',
    model: LLAMA,
    requests: '12',
    energyMicroWh: 1_234_560_000n,
    carbonMicroGrams: 100_369_728n,
    occurredAt: inP(10, 9),
    amountMicro: 398_346n,
  },
  // search, discretionary: 1 kWh → 250 000 µ; 81.3 g → 8 130 µ; 258 130 × 2 = 516 260.
  // Over the allocation by 1 000 000 000 − (2 000 000 000 − 1 234 560 000) = 234 560 000 µWh.
  u2: {
    id: 'u2',
    unitId: 'search',
    useCase: 'marketing-copy',
    model: LLAMA,
    requests: '5',
    energyMicroWh: 1_000_000_000n,
    carbonMicroGrams: 81_300_000n,
    occurredAt: inP(12, 14),
    amountMicro: 516_260n,
  },
  // support, standard: 0.6 kWh → 150 000 µ; 48.78 g → 4 878 µ; 154 878 × 1.25 = 193 597.5 → 193 598.
  u4: {
    id: 'u4',
    unitId: 'support',
    useCase: 'code-assist',
    model: LLAMA,
    requests: '7',
    energyMicroWh: 600_000_000n,
    carbonMicroGrams: 48_780_000n,
    occurredAt: inP(11, 10),
    amountMicro: 193_598n,
  },
  // support, essential: 0.34567 kWh → 86 417.5 µ; 28.102971 g → 2 810.2971 µ; 89 227.7971 → 89 228.
  u7: {
    id: 'u7',
    unitId: 'support',
    useCase: 'support-triage',
    model: MISTRAL,
    requests: '3',
    energyMicroWh: 345_670_000n,
    carbonMicroGrams: 28_102_971n,
    occurredAt: inP(15, 16),
    amountMicro: 89_228n,
  },
  // C, search, standard: 0.25 kWh → 62 500 µ; 20.325 g → 2 032.5 µ; 64 532.5 × 1.25 = 80 665.625
  // → 80 666. Entirely over the allocation (overrun 234 560 000 → 484 560 000 µWh).
  u5: {
    id: 'u5',
    unitId: 'search',
    useCase: 'code-assist',
    model: LLAMA,
    requests: '2',
    energyMicroWh: 250_000_000n,
    carbonMicroGrams: 20_325_000n,
    occurredAt: inC(90),
    amountMicro: 80_666n,
  },
  // C, support, discretionary: 0.30001 kWh → 75 002.5 µ; 24.390813 g → 2 439.0813 µ;
  // 77 441.5813 × 2 = 154 883.1626 → 154 883.
  u6: {
    id: 'u6',
    unitId: 'support',
    useCase: 'marketing-copy',
    model: MISTRAL,
    requests: '9',
    energyMicroWh: 300_010_000n,
    carbonMicroGrams: 24_390_813n,
    occurredAt: inC(60),
    amountMicro: 154_883n,
  },
  // Late, posted after P is closed: search, essential: 0.8 kWh → 200 000 µ; 65.04 g → 6 504 µ;
  // 206 504. Entirely over the allocation (overrun 484 560 000 → 1 284 560 000 µWh).
  u3: {
    id: 'u3',
    unitId: 'search',
    useCase: 'support-triage',
    model: MISTRAL,
    requests: '4',
    energyMicroWh: 800_000_000n,
    carbonMicroGrams: 65_040_000n,
    occurredAt: inP(20, 11),
    amountMicro: 206_504n,
  },
} satisfies Record<string, Usage>;

// Overrun surcharges (tiers: from 0 % of the allocation +25 %, from 50 % (1 000 000 000 µWh) +100 %):
// u2: D = 1 000 000 000, overrun [0, 234 560 000) all at 25 %:
//   516 260 × 234 560 000 × 0.25 / 1 000 000 000 = 30 273.4864 → 30 273.
const SURCHARGE_U2 = 30_273n;
// u5: D = 250 000 000, overrun [234 560 000, 484 560 000) all at 25 %:
//   80 665.625 × 0.25 = 20 166.40625 → 20 166.
const SURCHARGE_U5 = 20_166n;
// u3: D = 800 000 000, overrun [484 560 000, 1 284 560 000): 515 440 000 at 25 % + 284 560 000 at
//   100 % = 413 420 000; 206 504 × 413 420 000 / 800 000 000 = 106 716.1046 → 106 716.
const SURCHARGE_U3 = 106_716n;

// P as closed: search 398 346 + 516 260 + 30 273 = 944 879; support 193 598 + 89 228 = 282 826.
const SEARCH_P = 944_879n;
const SUPPORT_P = 282_826n;
// C: search 80 666 + 20 166 + 206 504 + 106 716 = 414 052 (the last two adjust search's P
// invoice); support 154 883.
const SEARCH_C = 414_052n;
const SUPPORT_C = 154_883n;

const SCHEDULE = {
  currency: 'EUR',
  effectiveFrom: new Date(START_P).toISOString(),
  carbonPricePerTonne: '100.00',
  energyPricePerKwh: '0.25',
  classMultipliers: { essential: '1', standard: '1.25', discretionary: '2' },
  defaultMultiplier: '1',
  overrunTiers: [
    { fromPercentOfAllocation: '0', surchargePercent: '25' },
    { fromPercentOfAllocation: '50', surchargePercent: '100' },
  ],
  reason: 'internal carbon price for the system test',
};

/** "0.113751" → 113751n (6-decimal display amounts, exact). */
const micro = (display: string): bigint => BigInt(display.replace('.', ''));
/** 113751n → "0.113751". */
const display = (amount: bigint): string => {
  const digits = (amount < 0n ? -amount : amount).toString().padStart(7, '0');
  return `${amount < 0n ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
};
const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

interface StatementGroup {
  usefulnessClass: string | null;
  model: string | null;
  kind: string;
  lines: number;
  requests: string;
  energyMicroWh: string;
  carbonMicroGrams: string;
  amountMicro: string;
  amount: string;
}
interface Statement {
  unitId: string;
  period: string;
  status: string;
  currencies: { currency: string; totalMicro: string; lines: number; groups: StatementGroup[] }[];
  tree: { unitId: string; depth: number; own: Json; subtree: Json }[];
  adjustments: {
    kind: string;
    unitId: string;
    usageId: string;
    servicePeriod: string;
    adjustsInvoice: string;
    amountMicro: string;
  }[];
}
interface Invoice {
  invoiceNumber: string;
  period: string;
  sequence: number;
  unitId: string;
  currency: string;
  costCentre: string;
  totalMicro: string;
  lineCount: number;
}
interface JournalRow {
  date: string;
  account: string;
  costCentre: string;
  debitMicro: string;
  creditMicro: string;
  debit: string;
  credit: string;
  currency: string;
  reference: string;
  entryId: string;
  side: 'debit' | 'credit';
  billingPeriod: string;
  unitId: string;
  lineId: string;
  invoiceNumber: string | null;
  adjustsInvoice: string | null;
}
interface ReconciliationUnit {
  unitId: string;
  recordedEnergyMicroWh: string;
  recordedCarbonMicroGrams: string;
  billedEnergyMicroWh: string;
  billedCarbonMicroGrams: string;
  match: boolean;
}

const EXPENSE = '6980-AI-CARBON';
const CARBON_FUND = '4890-CARBON-FUND';

let allocationInfra: AllocationInfrastructure;
let ingestionInfra: IngestionInfrastructure;
let billingInfra: BillingInfrastructure;
let allocation: InProcessService;
let ingestion: InProcessIngestion;
let billing: InProcessBilling;
let allocationAdmin: AllocationClient;
let billingAdmin: BillingClient;
let finance: BillingClient;
let integrator: AllocationClient;
/** usage id (the usage.recorded CloudEvent `source#id`) by the integrator's id. */
const usageIds = new Map<string, string>();

beforeAll(async () => {
  allocationInfra = await prepareAllocationInfrastructure('system-billing');
  const { adminKey, env: allocationEnv, database } = allocationInfra;
  const prefix = allocationEnv.KAFKA_TOPIC_PREFIX ?? '';
  const shared = { ...allocationEnv };
  // Ingestion: its own schema, the same topics; lateness raised so usage of P is still accepted
  // (P started at most 62 days ago; the dedup window must cover lateness + skew).
  const ingestionEnv = {
    ...shared,
    DATABASE_SCHEMA: INGESTION_SCHEMA,
    KAFKA_CLIENT_ID: `${prefix}ingestion`.slice(0, 100),
  };
  const ingestionOverrides = {
    INGEST_MAX_LATENESS_MS: String(70 * DAY_MS),
    INGEST_DEDUP_WINDOW_MS: String(75 * DAY_MS),
  };
  const billingEnv = {
    ...shared,
    DATABASE_SCHEMA: BILLING_SCHEMA,
    KAFKA_CLIENT_ID: `${prefix}billing`.slice(0, 100),
    BILLING_DEFAULT_CURRENCY: 'EUR',
    BILLING_EXPENSE_ACCOUNT: EXPENSE,
    BILLING_CARBON_FUND_ACCOUNT: CARBON_FUND,
  };
  await migrateService(
    database.url,
    ingestionDefinition(loadConfig(IngestionConfig, { ...ingestionEnv, ...ingestionOverrides })),
    INGESTION_SCHEMA,
  );
  await migrateService(database.url, BILLING_TEST_DEFINITION, BILLING_SCHEMA);
  await provisionTopics(
    kafkaBrokers(),
    [TOPICS.usageRaw, TOPICS.usageRejected, TOPICS.billingEvents],
    { prefix },
  );
  const ingestionPool = new Pool({ connectionString: database.url, max: 2 });
  ingestionInfra = {
    database,
    pool: ingestionPool,
    env: ingestionEnv,
    adminKey,
    close: () => ingestionPool.end(),
  };
  const billingPool = new Pool({ connectionString: database.url, max: 2 });
  billingInfra = {
    database,
    pool: billingPool,
    env: billingEnv,
    adminKey,
    topics: {
      usageRecorded: allocationInfra.topics.usageRecorded,
      allocationEvents: allocationInfra.topics.allocationEvents,
      billingEvents: topicName(TOPICS.billingEvents, prefix),
    },
    close: () => billingPool.end(),
  };
  [allocation, ingestion, billing] = await Promise.all([
    startAllocationInProcess(allocationInfra),
    startIngestionInProcess(ingestionInfra, ingestionOverrides),
    startBillingInProcess(billingInfra),
  ]);
  allocationAdmin = allocationClient(allocation.baseUrl, adminKey);
  billingAdmin = billingClient(billing.baseUrl, adminKey);
}, 60_000);

afterAll(async () => {
  await billing?.close();
  await ingestion?.close();
  await allocation?.close();
  await billingInfra?.close();
  await ingestionInfra?.close();
  await allocationInfra?.close();
});

/** Posts one usage (one request, so the ledger order is the posting order) and keeps its id. */
async function post(usage: Usage): Promise<void> {
  const answer = await integrator.post<{
    items: { status: string; recordedEventId?: string; error?: Json }[];
  }>('/v1/usage', [
    {
      id: usage.id,
      unitId: usage.unitId,
      useCase: usage.useCase,
      model: usage.model,
      region: 'fr',
      requests: usage.requests,
      measuredEnergyMicroWh: usage.energyMicroWh.toString(),
      occurredAt: usage.occurredAt,
    },
  ]);
  const item = answer.body.items?.[0];
  if (item?.status !== 'accepted' || item.recordedEventId === undefined)
    throw new Error(
      `usage ${usage.id} not accepted: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  usageIds.set(usage.id, `${USAGE_SOURCE}#${item.recordedEventId}`);
}

const usageIdOf = (usage: Usage) => usageIds.get(usage.id) as string;

async function statement(unitId: string, period: string) {
  const answer = await finance.get<Statement>(`/v1/units/${unitId}/statement?period=${period}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

const linesOf = (body: Statement) => body.currencies.reduce((n, c) => n + c.lines, 0);

it('charges usage from ingestion, surcharges allocation overruns, closes the previous month and bills its late usage as an adjustment', async () => {
  // 1. Allocation: the tree, the use cases with their classes, a budget for P and its allocation.
  const created = [
    await allocationAdmin.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
    await allocationAdmin.post('/v1/units', { unitId: 'retail', parentId: 'acme', name: 'Retail' }),
    await allocationAdmin.post('/v1/units', {
      unitId: 'search',
      parentId: 'retail',
      name: 'Search',
    }),
    await allocationAdmin.post('/v1/units', {
      unitId: 'support',
      parentId: 'acme',
      name: 'Support',
    }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'support-triage',
      className: 'essential',
      description: 'Routing of support tickets',
    }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'code-assist',
      className: 'standard',
      description: 'Coding assistant',
    }),
    await allocationAdmin.post('/v1/use-cases', {
      useCase: 'marketing-copy',
      className: 'discretionary',
      description: 'Marketing drafts',
    }),
    await allocationAdmin.post('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: {
        kind: 'range',
        startsOn: new Date(START_P).toISOString().slice(0, 10),
        endsOn: new Date(NOW + DAY_MS).toISOString().slice(0, 10),
      },
      timeZone: 'UTC',
      mode: 'soft',
      ceiling: '10000000000',
      reason: 'system billing test',
    }),
    // acme: retail 3 kWh, support 5 kWh (2 kWh stay at acme); retail: search 2 kWh.
    await allocationAdmin.post(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-1',
      policies: {
        acme: {
          rule: {
            kind: 'static',
            members: [
              { childId: 'retail', amount: '3000000000' },
              { childId: 'support', amount: '5000000000' },
            ],
          },
        },
        retail: {
          rule: { kind: 'static', members: [{ childId: 'search', amount: '2000000000' }] },
        },
      },
      reason: 'system billing test',
    }),
  ];
  expect(
    created.map((answer) => [answer.status, answer.status === 201 ? '' : answer.body]),
  ).toEqual(created.map(() => [201, '']));
  const searchBalance = await allocationAdmin.get<{ allocated: string }>(
    `/v1/budgets/${BUDGET}/units/search/balance`,
  );
  expect(searchBalance.body.allocated).toBe('2000000000');

  // 2. Billing learns the tree and the classes from allocation.events; finance prices.
  await waitFor(
    async () => {
      const { rows } = await billingInfra.pool.query<{ units: string; use_cases: string }>(
        `SELECT (SELECT count(*) FROM "${BILLING_SCHEMA}".units) AS units,
                (SELECT count(*) FROM "${BILLING_SCHEMA}".use_cases) AS use_cases`,
      );
      return rows[0]?.units === '4' && rows[0].use_cases === '3';
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'billing to know the units and use cases' },
  );
  finance = billingClient(billing.baseUrl, await createKey(billingAdmin, 'controller', 'finance'));
  const published = await finance.post<{ schedule: Json; pricedHeldUsage: number }>(
    '/v1/price-schedules',
    SCHEDULE,
  );
  expect(published.status).toBe(201);
  expect(published.body).toMatchObject({
    schedule: {
      version: 1,
      carbonPricePerTonneMicro: '100000000',
      energyPricePerKwhMicro: '250000',
    },
    pricedHeldUsage: 0,
  });
  expect(
    (
      await finance.put('/v1/billing-profiles/retail', {
        currency: 'EUR',
        costCentre: 'CC-4100-RETAIL',
      })
    ).status,
  ).toBe(200);

  // 3. Ingestion learns the same from allocation.events; an integrator posts the usage.
  await waitFor(
    async () => {
      const { rows } = await ingestionInfra.pool.query<{ units: string; use_cases: string }>(
        `SELECT (SELECT count(*) FROM "${INGESTION_SCHEMA}".known_units) AS units,
                (SELECT count(*) FROM "${INGESTION_SCHEMA}".known_use_cases) AS use_cases`,
      );
      return rows[0]?.units === '4' && rows[0].use_cases === '3';
    },
    {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: 'ingestion to know the units and use cases',
    },
  );
  const ingestionAdmin = allocationClient(ingestion.baseUrl, ingestionInfra.adminKey);
  integrator = allocationClient(
    ingestion.baseUrl,
    await registerIntegrator(ingestionAdmin, SOURCE, ['search', 'support']),
  );
  // u1 before u2: u2 is the one that passes search's allocation.
  for (const usage of [USAGE.u1, USAGE.u2, USAGE.u4, USAGE.u7, USAGE.u5, USAGE.u6])
    await post(usage);

  // 4. Billing charges P (four usages and u2's surcharge, once allocation has reported the
  //    overrun) and C (two usages and u5's surcharge).
  await waitFor(
    async () =>
      linesOf(await statement('acme', P)) === 5 && linesOf(await statement('acme', C)) === 3,
    { timeoutMs: 30_000, intervalMs: 250, description: 'the charges and the surcharge in billing' },
  );
  const balance = await allocationAdmin.get<{ committed: string; overrun: string }>(
    `/v1/budgets/${BUDGET}/units/search/balance`,
  );
  // u1 + u2 + u5; over by 234 560 000 + 250 000 000.
  expect(balance.body).toMatchObject({ committed: '2484560000', overrun: '484560000' });

  const running = await statement('acme', P);
  expect(running).toMatchObject({ unitId: 'acme', period: P, status: 'open', adjustments: [] });
  expect(running.currencies).toEqual([
    {
      currency: 'EUR',
      totalMicro: (SEARCH_P + SUPPORT_P).toString(), // 1 227 705
      total: display(SEARCH_P + SUPPORT_P),
      lines: 5,
      // By class, model, kind.
      groups: [
        {
          usefulnessClass: 'discretionary',
          model: LLAMA,
          kind: 'usage',
          lines: 1,
          requests: '5',
          energyMicroWh: '1000000000',
          carbonMicroGrams: '81300000',
          amountMicro: '516260',
          amount: '0.516260',
        },
        {
          usefulnessClass: 'discretionary',
          model: LLAMA,
          kind: 'surcharge',
          lines: 1,
          requests: '0',
          energyMicroWh: '0',
          carbonMicroGrams: '0',
          amountMicro: SURCHARGE_U2.toString(),
          amount: display(SURCHARGE_U2),
        },
        {
          usefulnessClass: 'essential',
          model: MISTRAL,
          kind: 'usage',
          lines: 1,
          requests: '3',
          energyMicroWh: '345670000',
          carbonMicroGrams: '28102971',
          amountMicro: '89228',
          amount: '0.089228',
        },
        {
          // u1 (search) + u4 (support): 398 346 + 193 598 = 591 944
          usefulnessClass: 'standard',
          model: LLAMA,
          kind: 'usage',
          lines: 2,
          requests: '19',
          energyMicroWh: '1834560000',
          carbonMicroGrams: '149149728',
          amountMicro: '591944',
          amount: '0.591944',
        },
      ],
    },
  ]);
  // Rolled up the tree: parents first, siblings by id.
  expect(running.tree.map((node) => [node.unitId, node.depth, node.own, node.subtree])).toEqual([
    ['acme', 0, {}, { EUR: (SEARCH_P + SUPPORT_P).toString() }],
    ['retail', 1, {}, { EUR: SEARCH_P.toString() }],
    ['search', 2, { EUR: SEARCH_P.toString() }, { EUR: SEARCH_P.toString() }],
    ['support', 1, { EUR: SUPPORT_P.toString() }, { EUR: SUPPORT_P.toString() }],
  ]);
  const retail = await statement('retail', P);
  expect(retail.currencies.map((c) => [c.totalMicro, c.lines])).toEqual([[SEARCH_P.toString(), 3]]);

  // 5. Close P: one invoice per unit, numbered without gaps; a second close is refused.
  const closed = await finance.post<{
    period: Json;
    invoices: Invoice[];
  }>(`/v1/periods/${P}/close`, { reason: 'month-end close' });
  expect(closed.status).toBe(200);
  expect(closed.body.period).toMatchObject({
    period: P,
    invoiceCount: 2,
    firstInvoice: `INV-${P}-0001`,
    lastInvoice: `INV-${P}-0002`,
    totalsMicro: { EUR: (SEARCH_P + SUPPORT_P).toString() },
  });
  const invoiceRows = (invoices: readonly Invoice[]) =>
    invoices.map((invoice) => [
      invoice.invoiceNumber,
      invoice.sequence,
      invoice.unitId,
      invoice.currency,
      invoice.costCentre,
      invoice.totalMicro,
      invoice.lineCount,
    ]);
  const expectedInvoices = [
    [`INV-${P}-0001`, 1, 'search', 'EUR', 'CC-4100-RETAIL', SEARCH_P.toString(), 3],
    [`INV-${P}-0002`, 2, 'support', 'EUR', 'support', SUPPORT_P.toString(), 2],
  ];
  expect(invoiceRows(closed.body.invoices)).toEqual(expectedInvoices);
  expect((await finance.post(`/v1/periods/${P}/close`, {})).body).toMatchObject({
    code: 'BILLING.PERIOD_ALREADY_CLOSED',
  });
  expect((await finance.post(`/v1/periods/${C}/close`, {})).body).toMatchObject({
    code: 'BILLING.PERIOD_NOT_ENDED',
  });

  // 6. Late usage of P: allocation debits it (all of it over the allocation, across both tiers),
  //    billing bills it and its surcharge in C, each adjusting search's P invoice.
  await post(USAGE.u3);
  const current = await waitFor(
    async () => {
      const body = await statement('acme', C);
      return body.adjustments.length === 2 ? body : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'the late usage and its surcharge in C' },
  );
  expect(
    current.adjustments
      .map((line) => [
        line.kind,
        line.unitId,
        line.usageId,
        line.servicePeriod,
        line.adjustsInvoice,
        line.amountMicro,
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  ).toEqual([
    ['surcharge', 'search', usageIdOf(USAGE.u3), P, `INV-${P}-0001`, SURCHARGE_U3.toString()],
    ['usage', 'search', usageIdOf(USAGE.u3), P, `INV-${P}-0001`, USAGE.u3.amountMicro.toString()],
  ]);
  expect(current.currencies).toEqual([
    expect.objectContaining({
      currency: 'EUR',
      totalMicro: (SEARCH_C + SUPPORT_C).toString(), // 568 935
      lines: 5,
      groups: [
        expect.objectContaining({
          usefulnessClass: 'discretionary',
          model: MISTRAL,
          kind: 'usage',
          amountMicro: '154883',
        }),
        expect.objectContaining({
          usefulnessClass: 'essential',
          model: MISTRAL,
          kind: 'usage',
          requests: '4',
          energyMicroWh: '800000000',
          amountMicro: '206504',
        }),
        expect.objectContaining({
          usefulnessClass: 'essential',
          model: MISTRAL,
          kind: 'surcharge',
          amountMicro: SURCHARGE_U3.toString(),
        }),
        expect.objectContaining({
          usefulnessClass: 'standard',
          model: LLAMA,
          kind: 'usage',
          amountMicro: '80666',
        }),
        expect.objectContaining({
          usefulnessClass: 'standard',
          model: LLAMA,
          kind: 'surcharge',
          amountMicro: SURCHARGE_U5.toString(),
        }),
      ],
    }),
  ]);
  expect(current.tree.map((node) => [node.unitId, node.subtree])).toEqual([
    ['acme', { EUR: (SEARCH_C + SUPPORT_C).toString() }],
    ['retail', { EUR: SEARCH_C.toString() }],
    ['search', { EUR: SEARCH_C.toString() }],
    ['support', { EUR: SUPPORT_C.toString() }],
  ]);
  const lateBalance = await allocationAdmin.get<{ overrun: string }>(
    `/v1/budgets/${BUDGET}/units/search/balance`,
  );
  expect(lateBalance.body.overrun).toBe('1284560000');

  // Nothing closed changed: the invoices, and P's statement.
  const invoices = await finance.get<Invoice[]>(`/v1/invoices?period=${P}`);
  expect(invoiceRows(invoices.body)).toEqual(expectedInvoices);
  const closedStatement = await statement('acme', P);
  expect(closedStatement.status).toBe('closed');
  expect(closedStatement.currencies).toEqual(running.currencies);
  const searchInvoice = await finance.get<{ lines: { usageId: string; amountMicro: string }[] }>(
    `/v1/invoices/INV-${P}-0001`,
  );
  expect(searchInvoice.body.lines.map((line) => [line.usageId, line.amountMicro]).sort()).toEqual(
    [
      [usageIdOf(USAGE.u1), '398346'],
      [usageIdOf(USAGE.u2), '516260'],
      [usageIdOf(USAGE.u2), SURCHARGE_U2.toString()],
    ].sort(),
  );

  // 7. The journal of P as a CSV download: the JSON export's lines, one balanced entry per
  //    charge line; Σ debit = Σ credit = Σ invoice totals.
  const csv = await finance.get(`/v1/exports/journal?period=${P}`);
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(csv.text.endsWith('\r\n')).toBe(true);
  const [header, ...rows] = parseCsv(csv.text);
  expect(header).toEqual(JOURNAL_CSV_COLUMNS);
  const json = await finance.get<{ lines: JournalRow[]; totals: Record<string, Json> }>(
    `/v1/exports/journal?period=${P}&format=json`,
  );
  expect(json.status).toBe(200);
  expect(rows).toEqual(
    json.body.lines.map((line) => [
      line.date,
      line.account,
      line.costCentre,
      line.debit,
      line.credit,
      line.currency,
      line.reference,
      line.entryId,
      line.billingPeriod,
      line.unitId,
      line.invoiceNumber ?? '',
      line.adjustsInvoice ?? '',
    ]),
  );
  expect(rows).toHaveLength(10);
  const debits = sum(rows.map((row) => micro(row[3] as string)));
  const credits = sum(rows.map((row) => micro(row[4] as string)));
  expect(debits).toBe(SEARCH_P + SUPPORT_P);
  expect(credits).toBe(debits);
  expect(sum(invoices.body.map((invoice) => BigInt(invoice.totalMicro)))).toBe(debits);
  expect(json.body.totals).toEqual({
    EUR: {
      debitMicro: debits.toString(),
      creditMicro: credits.toString(),
      debit: display(debits),
      credit: display(credits),
    },
  });
  // Each entry: debit the expense account at the unit's cost centre, credit the carbon fund.
  const entries = new Map<string, string[][]>();
  for (const row of rows)
    entries.set(row[7] as string, [...(entries.get(row[7] as string) ?? []), row]);
  const invoiceOf = { search: `INV-${P}-0001`, support: `INV-${P}-0002` };
  const costCentreOf = { search: 'CC-4100-RETAIL', support: 'support' };
  const booked = [...entries.values()].map(([debit, credit]) => {
    const unit = debit?.[9] as 'search' | 'support';
    expect(debit?.slice(1, 3)).toEqual([EXPENSE, costCentreOf[unit]]);
    expect(credit?.slice(1, 3)).toEqual([CARBON_FUND, '']);
    expect([debit?.[4], credit?.[3]]).toEqual(['0.000000', '0.000000']);
    expect(debit?.[3]).toBe(credit?.[4]);
    expect(debit?.slice(8)).toEqual([P, unit, invoiceOf[unit], '']);
    expect(credit?.slice(5)).toEqual(debit?.slice(5));
    return [debit?.[6], debit?.[3]];
  });
  const expectedBooked = [
    [`usage ${usageIdOf(USAGE.u1)}`, display(USAGE.u1.amountMicro)],
    [`usage ${usageIdOf(USAGE.u2)}`, display(USAGE.u2.amountMicro)],
    [`surcharge ${usageIdOf(USAGE.u2)}`, display(SURCHARGE_U2)],
    [`usage ${usageIdOf(USAGE.u4)}`, display(USAGE.u4.amountMicro)],
    [`usage ${usageIdOf(USAGE.u7)}`, display(USAGE.u7.amountMicro)],
  ];
  expect(booked.sort()).toEqual(expectedBooked.sort());
  // The books' journal table says the same.
  const { rows: journalTable } = await billingInfra.pool.query<{ debit: string; credit: string }>(
    `SELECT COALESCE(sum(debit_micro), 0)::text AS debit, COALESCE(sum(credit_micro), 0)::text AS credit
       FROM "${BILLING_SCHEMA}".journal_lines WHERE billing_period = $1`,
    [P],
  );
  expect(journalTable).toEqual([{ debit: debits.toString(), credit: credits.toString() }]);
  // C's journal carries the late lines with the invoice they adjust.
  const currentRows = parseCsv((await finance.get(`/v1/exports/journal?period=${C}`)).text).slice(
    1,
  );
  expect(currentRows).toHaveLength(10);
  expect(
    currentRows
      .filter((row) => row[11] !== '')
      .map((row) => [row[6], row[11]])
      .sort(),
  ).toEqual(
    [
      [`usage ${usageIdOf(USAGE.u3)}`, `INV-${P}-0001`],
      [`usage ${usageIdOf(USAGE.u3)}`, `INV-${P}-0001`],
      [`surcharge ${usageIdOf(USAGE.u3)}`, `INV-${P}-0001`],
      [`surcharge ${usageIdOf(USAGE.u3)}`, `INV-${P}-0001`],
    ].sort(),
  );
  expect(sum(currentRows.map((row) => micro(row[3] as string)))).toBe(SEARCH_C + SUPPORT_C);
  expect(sum(currentRows.map((row) => micro(row[4] as string)))).toBe(SEARCH_C + SUPPORT_C);

  // 8. Reconciliation by service period: exact for both months (u3 was used in P, billed in C).
  const reconciled = (units: readonly ReconciliationUnit[]) =>
    units.map((unit) => [
      unit.unitId,
      unit.recordedEnergyMicroWh,
      unit.recordedCarbonMicroGrams,
      unit.billedEnergyMicroWh,
      unit.billedCarbonMicroGrams,
      unit.match,
    ]);
  const reconciliationP = await finance.get<{ status: string; units: ReconciliationUnit[] }>(
    `/v1/reconciliation?period=${P}`,
  );
  expect(reconciliationP.body.status).toBe('match');
  expect(reconciled(reconciliationP.body.units)).toEqual([
    // u1 + u2 + u3
    ['search', '3034560000', '246709728', '3034560000', '246709728', true],
    // u4 + u7
    ['support', '945670000', '76882971', '945670000', '76882971', true],
  ]);
  const reconciliationC = await finance.get<{ status: string; units: ReconciliationUnit[] }>(
    `/v1/reconciliation?period=${C}`,
  );
  expect(reconciliationC.body.status).toBe('match');
  expect(reconciled(reconciliationC.body.units)).toEqual([
    ['search', '250000000', '20325000', '250000000', '20325000', true],
    ['support', '300010000', '24390813', '300010000', '24390813', true],
  ]);

  // 9. Operations: the books rebuilt from the ledger give the same digest; the chains verify;
  //    no message went to a dead letter.
  const replay = await billingAdmin.get<{ match: boolean; projection: string }>('/v1/admin/replay');
  expect(replay.status).toBe(200);
  expect(replay.body).toMatchObject({ projection: 'billing-books', match: true });
  const verified = await billingAdmin.get<{ ok: boolean }>('/v1/admin/ledger/verify');
  expect(verified.status).toBe(200);
  expect(verified.body.ok).toBe(true);
  const { rows: deadLetters } = await billingInfra.pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM "${BILLING_SCHEMA}".dead_letters`,
  );
  expect(deadLetters).toEqual([{ n: '0' }]);
});
