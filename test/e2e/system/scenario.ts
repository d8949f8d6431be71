// One month of Plafond as its users live it, run against the whole system in either mode (see
// harness.ts) over real HTTP only — plus, distributed, an integrator's Kafka producer:
//   1. an admin opens a hard energy budget for the perimeter `acme` (three departments) and
//      allocates it by weights and usefulness tiers;
//   2. billing learns the tree from allocation's events; finance publishes the carbon price;
//   3. an integrator (registered, keyed over ingestion's API) reports usage of the previous month
//      P over HTTP and over Kafka; a retry of the same usage is a duplicate;
//   4. this month C, it reserves before use and reports usage naming the reservation, or not;
//   5. under scarcity, a discretionary reservation is shed while an essential one is granted;
//   6. marketing passes its allocation: an overrun is flagged, the unit is blocked, its
//      reservations are refused;
//   7. billing charged every usage and the overrun surcharge; finance closes P into invoices;
//   8. the invoices and the journal CSV hold exactly the usage;
//   9. reconciliation finds no difference;
//  10. every service's operations endpoints: replay digests, ledger verification;
//  11. SIGTERM stops everything, exit 0, no error logged.
// Every amount is computed by hand below.
//
// Embedded mode has no broker (its services read each other's ledgers in place): the usage the
// distributed run sends to the raw Kafka topic goes over HTTP there, with the same ids and values,
// so both modes assert the same numbers.
//
// The calendar: P and C come from one reading of the clock when the file loads, and every instant
// the scenario sends is computed from it (as test/integration/system-billing.int-spec.ts does), so a
// month boundary crossed during the run changes nothing: P has ended either way, C's usage keeps
// its instants, the budget runs until tomorrow and covers both months.
import { waitFor } from '@plafond/testing';
import { api, outcome, type Answer, type Api } from './http';
import type { RunningSystem, SystemMode } from './harness';

type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const NOW = Date.now();
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const START_C = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 1);
const START_P = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() - 1, 1);
/** The previous calendar month (UTC), closed by the scenario, and the current one. */
export const P = monthOf(START_P);
export const C = monthOf(START_C);
/** Day `day` of P at `hour`:00 UTC. */
const inP = (day: number, hour: number) => new Date(START_P + (day - 1) * DAY_MS + hour * HOUR_MS);
/** `seconds` ago, but never before C started (at most the ingestion's 5-minute skew ahead). */
const inC = (seconds: number) => new Date(Math.max(START_C + 1000, NOW - seconds * 1000));

const BUDGET = 'acme-energy';
const SOURCE = 'urn:acme:llm-gateway';
const LLAMA = 'meta-llama/meta-llama-3.1-70b-instruct';
const DEPARTMENTS = ['research', 'support', 'marketing'] as const;
type Department = (typeof DEPARTMENTS)[number];

// Allocation: 9 kWh = 9 000 000 000 µWh split by `tiers` in weighted mode, weight = headcount ×
// the tier's multiplier: research (essential ×2) 30 × 2 = 60, support (standard) 20,
// marketing (discretionary) 10; total 90 → 6 000 000 000, 2 000 000 000, 1 000 000 000.
const CEILING = 9_000_000_000n;
const ALLOCATED: Record<Department, bigint> = {
  research: 6_000_000_000n,
  support: 2_000_000_000n,
  marketing: 1_000_000_000n,
};

// Price: 100 EUR/t CO2e (100 000 000 µ), 0.25 EUR/kWh (250 000 µ); essential ×1, standard ×1.25,
// discretionary ×2. Usage is measured energy in region `fr` (81.3 gCO2e/kWh, no PUE): carbon =
// energy × 0.0813, exact since every energy is a multiple of 10 000 µWh. So a line is
//   (carbonµg / 10 000 + energyµWh / 4 000) × multiplier, rounded half away from zero.
interface Usage {
  id: string;
  unitId: Department;
  useCase: 'incident-triage' | 'code-review' | 'ad-copy';
  energyMicroWh: bigint;
  occurredAt: Date;
  reservationId?: string;
  /** Distributed: sent to the raw Kafka topic; embedded (no broker): over HTTP. */
  overKafka: boolean;
  carbonMicroGrams: bigint;
  /** The charge, hand-computed. */
  amountMicro: bigint;
}

const USAGE = {
  // P, research, essential: 2 kWh → 500 000; 162.6 g → 16 260; 516 260 × 1 = 516 260.
  p1: {
    id: 'p1',
    unitId: 'research',
    useCase: 'incident-triage',
    energyMicroWh: 2_000_000_000n,
    carbonMicroGrams: 162_600_000n,
    occurredAt: inP(10, 9),
    overKafka: false,
    amountMicro: 516_260n,
  },
  // P, support, standard: 1.2 kWh → 300 000; 97.56 g → 9 756; 309 756 × 1.25 = 387 195.
  p2: {
    id: 'p2',
    unitId: 'support',
    useCase: 'code-review',
    energyMicroWh: 1_200_000_000n,
    carbonMicroGrams: 97_560_000n,
    occurredAt: inP(12, 14),
    overKafka: true,
    amountMicro: 387_195n,
  },
  // P, marketing, discretionary: 0.8 kWh → 200 000; 65.04 g → 6 504; 206 504 × 2 = 413 008.
  p3: {
    id: 'p3',
    unitId: 'marketing',
    useCase: 'ad-copy',
    energyMicroWh: 800_000_000n,
    carbonMicroGrams: 65_040_000n,
    occurredAt: inP(15, 16),
    overKafka: false,
    amountMicro: 413_008n,
  },
  // C, research, essential, commits reservation r1: 1.5 kWh → 375 000; 121.95 g → 12 195;
  // 387 195.
  c1: {
    id: 'c1',
    unitId: 'research',
    useCase: 'incident-triage',
    energyMicroWh: 1_500_000_000n,
    carbonMicroGrams: 121_950_000n,
    occurredAt: inC(300),
    reservationId: 'r1',
    overKafka: false,
    amountMicro: 387_195n,
  },
  // C, research, standard, no reservation: 1 kWh → 250 000; 81.3 g → 8 130;
  // 258 130 × 1.25 = 322 662.5 → 322 663.
  c2: {
    id: 'c2',
    unitId: 'research',
    useCase: 'code-review',
    energyMicroWh: 1_000_000_000n,
    carbonMicroGrams: 81_300_000n,
    occurredAt: inC(240),
    overKafka: true,
    amountMicro: 322_663n,
  },
  // C, support, standard, commits reservation r5: 0.3 kWh → 75 000; 24.39 g → 2 439;
  // 77 439 × 1.25 = 96 798.75 → 96 799.
  c5: {
    id: 'c5',
    unitId: 'support',
    useCase: 'code-review',
    energyMicroWh: 300_000_000n,
    carbonMicroGrams: 24_390_000n,
    occurredAt: inC(200),
    reservationId: 'r5',
    overKafka: true,
    amountMicro: 96_799n,
  },
  // C, research, essential, commits reservation r3: 0.5 kWh → 125 000; 40.65 g → 4 065; 129 065.
  c3: {
    id: 'c3',
    unitId: 'research',
    useCase: 'incident-triage',
    energyMicroWh: 500_000_000n,
    carbonMicroGrams: 40_650_000n,
    occurredAt: inC(120),
    reservationId: 'r3',
    overKafka: false,
    amountMicro: 129_065n,
  },
  // C, marketing, discretionary, no reservation: 129 065 × 2 = 258 130. Marketing had used
  // 800 000 000 of its 1 000 000 000: 300 000 000 µWh of it is over the allocation.
  c4: {
    id: 'c4',
    unitId: 'marketing',
    useCase: 'ad-copy',
    energyMicroWh: 500_000_000n,
    carbonMicroGrams: 40_650_000n,
    occurredAt: inC(60),
    overKafka: false,
    amountMicro: 258_130n,
  },
} satisfies Record<string, Usage>;

// Overrun surcharge of c4 (tiers: from 0 % of the allocation +25 %, from 50 % +100 %): the overrun
// [0, 300 000 000) is 0–30 % of marketing's allocation, all at 25 %:
//   258 130 × 300 000 000 × 0.25 / 500 000 000 = 38 719.5 → 38 720.
const SURCHARGE_C4 = 38_720n;

const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);
/** 113751n → "0.113751". */
const display = (amount: bigint) => {
  const digits = amount.toString().padStart(7, '0');
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`;
};
// P: 516 260 + 387 195 + 413 008 = 1 316 463.
const P_USAGE = [USAGE.p1, USAGE.p2, USAGE.p3];
const P_TOTAL = sum(P_USAGE.map((usage) => usage.amountMicro));
// C: 387 195 + 322 663 + 96 799 + 129 065 + 258 130 + 38 720 = 1 232 572.
const C_USAGE = [USAGE.c1, USAGE.c2, USAGE.c5, USAGE.c3, USAGE.c4];
const C_TOTAL = sum(C_USAGE.map((usage) => usage.amountMicro)) + SURCHARGE_C4;

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
  reason: 'internal carbon price of the system test',
};

interface Balance {
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
  blocked: boolean;
}
interface StatementGroup {
  usefulnessClass: string | null;
  kind: string;
  lines: number;
  requests: string;
  energyMicroWh: string;
  carbonMicroGrams: string;
  amountMicro: string;
}
interface Statement {
  status: string;
  currencies: { currency: string; totalMicro: string; lines: number; groups: StatementGroup[] }[];
  tree: { unitId: string; depth: number; own: Json; subtree: Json }[];
}
interface Invoice {
  invoiceNumber: string;
  sequence: number;
  unitId: string;
  currency: string;
  costCentre: string;
  totalMicro: string;
  lineCount: number;
}
interface ReconciliationUnit {
  unitId: string;
  recordedEnergyMicroWh: string;
  recordedCarbonMicroGrams: string;
  billedEnergyMicroWh: string;
  billedCarbonMicroGrams: string;
  match: boolean;
}

const JOURNAL_COLUMNS = [
  'date',
  'account',
  'cost_centre',
  'debit',
  'credit',
  'currency',
  'reference',
  'entry_id',
  'billing_period',
  'unit_id',
  'invoice_number',
  'adjusts_invoice',
];

/** Allocation's answers arrive within seconds; the bound only turns a hang into a message. */
const SETTLE = { timeoutMs: 60_000, intervalMs: 250 } as const;

const createdOutcome = (): [number, unknown] => [201, expect.anything()];
const expectStatus = (answer: Answer, status: number) =>
  expect(outcome(answer)).toEqual([status, expect.anything()]);

/**
 * Declares the scenario's steps as tests of one `describe`: each step needs the ones before it.
 * `start` boots the system; the last step stops it and expects a clean exit.
 */
export function systemScenario(mode: SystemMode, start: () => Promise<RunningSystem>): void {
  const overKafka = mode === 'distributed' ? 'over HTTP and over Kafka' : 'over HTTP (no broker)';
  let system: RunningSystem | undefined;
  let admin: { allocation: Api; ingestion: Api; billing: Api };
  let finance: Api;
  let integrator: Api;
  let gateway: Api;
  /** The usage id billing shows (`/plafond/ingestion#<recordedEventId>`), by our id. */
  const usageIds = new Map<string, string>();

  const running = (): RunningSystem => {
    if (system === undefined) throw new Error('the system did not start');
    return system;
  };
  const balance = async (unitId: string) => {
    const answer = await admin.allocation.get<Balance>(
      `/v1/budgets/${BUDGET}/units/${unitId}/balance`,
    );
    expectStatus(answer, 200);
    return answer.body;
  };
  const committedReaches = (unitId: Department, committed: bigint, what: string) =>
    waitFor(
      async () => {
        const current = await balance(unitId);
        return current.committed === committed.toString() ? current : undefined;
      },
      { ...SETTLE, description: `${what}: ${unitId} committed = ${committed}` },
    );

  const usageItem = (usage: Usage) => ({
    unitId: usage.unitId,
    useCase: usage.useCase,
    model: LLAMA,
    region: 'fr',
    requests: '1',
    measuredEnergyMicroWh: usage.energyMicroWh.toString(),
    occurredAt: usage.occurredAt.toISOString(),
    ...(usage.reservationId === undefined ? {} : { reservationId: usage.reservationId }),
  });

  /** Over HTTP: accepted in the answer (retried while ingestion still learns the tree). */
  const postOverHttp = async (usage: Usage) => {
    const item = await waitFor(
      async () => {
        const answer = await integrator.post<{
          items: { status: string; recordedEventId?: string; error?: { code: string } }[];
        }>('/v1/usage', [{ id: usage.id, ...usageItem(usage) }]);
        expectStatus(answer, 200);
        const first = answer.body.items[0];
        // Ingestion learns units and use cases from allocation's events: until then it rejects
        // (recording nothing), and the same id may be sent again.
        if (first?.error?.code === 'INGEST.UNKNOWN_UNIT') return undefined;
        if (first?.error?.code === 'INGEST.UNKNOWN_USE_CASE') return undefined;
        expect(first).toMatchObject({ status: 'accepted' });
        return first;
      },
      { ...SETTLE, description: `usage ${usage.id} accepted over HTTP` },
    );
    usageIds.set(usage.id, `/plafond/ingestion#${item?.recordedEventId ?? ''}`);
  };

  /**
   * Reports one usage the way its integrator does in this mode, then waits for allocation to
   * have debited it. Over Kafka there is no answer: a record ingestion rejected (a unit it has
   * not learned yet) is sent again with the same id, as the integrator guide says; a duplicate
   * is recorded once.
   */
  const report = async (usage: Usage, committedAfter: bigint) => {
    const sendRaw = running().sendRawUsage;
    if (usage.overKafka && sendRaw !== undefined) {
      await waitFor(
        async () => {
          await sendRaw([{ id: usage.id, source: SOURCE, data: usageItem(usage) }]);
          return waitFor(
            async () => (await balance(usage.unitId)).committed === committedAfter.toString(),
            { timeoutMs: 5000, intervalMs: 250 },
          ).catch(() => undefined);
        },
        { timeoutMs: 120_000, intervalMs: 250, description: `usage ${usage.id} over Kafka` },
      );
    } else {
      await postOverHttp(usage);
    }
    return committedReaches(usage.unitId, committedAfter, `usage ${usage.id}`);
  };

  /** The gateway reserves before use with its allocation `service` key. */
  const reserve = (reservationId: string, unitId: Department, useCase: string, amount: bigint) =>
    gateway.post<Json>('/v1/reservations', {
      reservationId,
      unitId,
      useCase,
      amount: amount.toString(),
      timeoutMs: 600_000,
    });

  const statement = async (unitId: string, period: string) => {
    const answer = await finance.get<Statement>(`/v1/units/${unitId}/statement?period=${period}`);
    expectStatus(answer, 200);
    return answer.body;
  };
  const linesOf = (body: Statement) => body.currencies.reduce((n, c) => n + c.lines, 0);

  beforeAll(async () => {
    system = await start();
    expect(system.mode).toBe(mode);
    const { urls, adminKey } = system;
    admin = {
      allocation: api(urls.allocation, adminKey),
      ingestion: api(urls.ingestion, adminKey),
      billing: api(urls.billing, adminKey),
    };
  }, 180_000);

  afterAll(async () => {
    await system?.dispose();
  }, 60_000);

  it('1. an admin opens a budget for acme and allocates it by weights and usefulness tiers', async () => {
    const answers: Answer[] = [];
    for (const [useCase, className, description] of [
      ['incident-triage', 'essential', 'Triage of production incidents'],
      ['code-review', 'standard', 'Code review assistant'],
      ['ad-copy', 'discretionary', 'Advertising drafts'],
    ])
      answers.push(
        await admin.allocation.post('/v1/use-cases', { useCase, className, description }),
      );
    answers.push(
      await admin.allocation.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
    );
    for (const [unitId, name, headcount] of [
      ['research', 'Research', '30'],
      ['support', 'Support', '20'],
      ['marketing', 'Marketing', '10'],
    ])
      answers.push(
        await admin.allocation.post('/v1/units', {
          unitId,
          parentId: 'acme',
          name,
          // Allocations read the attributes in force on the budget's first day.
          attributes: { effectiveFrom: '2020-01-01', values: { headcount } },
        }),
      );
    answers.push(
      await admin.allocation.post('/v1/budgets', {
        budgetId: BUDGET,
        perimeterUnitId: 'acme',
        dimension: 'energy',
        // From the first day of P to tomorrow: usage of P is debited, and P can be closed.
        period: {
          kind: 'range',
          startsOn: new Date(START_P).toISOString().slice(0, 10),
          endsOn: new Date(NOW + DAY_MS).toISOString().slice(0, 10),
        },
        timeZone: 'UTC',
        mode: 'hard',
        ceiling: CEILING.toString(),
        reason: 'system test',
      }),
    );
    expect(answers.map(outcome)).toEqual(answers.map(createdOutcome));

    const policies = {
      acme: {
        rule: {
          kind: 'tiers',
          mode: 'weighted',
          weightAttribute: 'headcount',
          tiers: [
            { tier: 'essential', multiplier: 2 },
            { tier: 'standard' },
            { tier: 'discretionary' },
          ],
          members: [
            { childId: 'research', tier: 'essential' },
            { childId: 'support', tier: 'standard' },
            { childId: 'marketing', tier: 'discretionary' },
          ],
        },
      },
    };
    const preview = await admin.allocation.post<{
      units: {
        unitId: string;
        amount: string;
        explanation: { contributions: Json[] } | null;
      }[];
    }>(`/v1/budgets/${BUDGET}/preview`, { policies });
    expectStatus(preview, 200);
    const expectedAmounts = [
      ['acme', CEILING.toString()],
      ...DEPARTMENTS.map((unit) => [unit, ALLOCATED[unit].toString()]),
    ];
    expect(preview.body.units.map((unit) => [unit.unitId, unit.amount]).sort()).toEqual(
      expectedAmounts.sort(),
    );
    // Each part is explained by its usefulness tier and its weight (headcount × multiplier).
    expect(
      preview.body.units
        .filter((unit) => unit.unitId !== 'acme')
        .map((unit) => [unit.unitId, unit.explanation?.contributions]),
    ).toEqual([
      [
        'research',
        [
          expect.objectContaining({
            criterion: 'tier',
            tier: 'essential',
            weight: '60',
            amount: '6000000000',
          }),
        ],
      ],
      [
        'support',
        [
          expect.objectContaining({
            criterion: 'tier',
            tier: 'standard',
            weight: '20',
            amount: '2000000000',
          }),
        ],
      ],
      [
        'marketing',
        [
          expect.objectContaining({
            criterion: 'tier',
            tier: 'discretionary',
            weight: '10',
            amount: '1000000000',
          }),
        ],
      ],
    ]);
    const allocation = await admin.allocation.post(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-1',
      policies,
      reason: 'system test',
    });
    expectStatus(allocation, 201);
    for (const unit of DEPARTMENTS) {
      expect({ unit, ...(await balance(unit)) }).toMatchObject({
        unit,
        allocated: ALLOCATED[unit].toString(),
        reserved: '0',
        committed: '0',
        available: ALLOCATED[unit].toString(),
        overrun: '0',
        blocked: false,
      });
    }
  });

  it('2. billing learns the tree from allocation; finance publishes the carbon price', async () => {
    // Billing prices a usage with its use case's class as billing knows it when the usage
    // arrives. Use cases and units travel on allocation's events keyed by their own ids (other
    // partitions than the usage), so the test waits for billing to have applied all seven — four
    // units and three use cases, the only allocation events billing applies so far.
    const messaging = await waitFor(
      async () => {
        const answer = await admin.billing.get<{
          transport: string;
          allocationConsumer?: { counts?: Json };
        }>('/v1/admin/messaging');
        return answer.status === 200 && answer.body.allocationConsumer?.counts?.applied === 7
          ? answer.body
          : undefined;
      },
      { ...SETTLE, description: 'billing to apply the 4 units and 3 use cases' },
    );
    // The mode is what it says: Kafka between processes, or ledgers read in place.
    expect(messaging.transport).toBe(mode === 'distributed' ? 'kafka' : 'ledger-log');
    for (const unit of ['acme', ...DEPARTMENTS])
      expectStatus(await admin.billing.get(`/v1/billing-profiles/${unit}`), 200);
    const key = await admin.billing.post<{ key: string }>('/v1/api-keys', {
      name: 'controller',
      role: 'finance',
    });
    expectStatus(key, 201);
    finance = api(running().urls.billing, key.body.key);
    const published = await finance.post<Json>('/v1/price-schedules', SCHEDULE);
    expect(outcome(published)).toEqual([
      201,
      expect.objectContaining({
        schedule: expect.objectContaining({
          version: 1,
          carbonPricePerTonneMicro: '100000000',
          energyPricePerKwhMicro: '250000',
        }),
        pricedHeldUsage: 0,
      }),
    ]);
  });

  it(`3. an integrator reports usage of the previous month ${overKafka}`, async () => {
    const registered = await admin.ingestion.post('/v1/integrators', {
      integratorId: 'llm-gateway',
      name: 'LLM gateway',
      source: SOURCE,
      unitIds: null,
    });
    expectStatus(registered, 201);
    const key = await admin.ingestion.post<{ key: string }>('/v1/integrators/llm-gateway/keys', {
      name: 'gateway prod',
    });
    expectStatus(key, 201);
    integrator = api(running().urls.ingestion, key.body.key);
    // The same gateway reserves in allocation with a `service` key.
    const serviceKey = await admin.allocation.post<{ key: string }>('/v1/api-keys', {
      name: 'llm-gateway',
      role: 'service',
    });
    expectStatus(serviceKey, 201);
    gateway = api(running().urls.allocation, serviceKey.body.key);

    await report(USAGE.p1, 2_000_000_000n);
    await report(USAGE.p2, 1_200_000_000n);
    await report(USAGE.p3, 800_000_000n);

    // A gateway retrying after a timeout: p2 again, now over HTTP, is a duplicate of the usage
    // recorded from Kafka (or from HTTP, embedded) — nothing new is recorded or debited.
    const again = await integrator.post<{ duplicates: number; items: Json[] }>('/v1/usage', [
      { id: USAGE.p2.id, ...usageItem(USAGE.p2) },
    ]);
    expect(outcome(again)).toEqual([
      200,
      expect.objectContaining({
        accepted: 0,
        duplicates: 1,
        rejected: 0,
        items: [expect.objectContaining({ status: 'duplicate', id: 'p2', source: SOURCE })],
      }),
    ]);
    const recordedEventId = (again.body.items[0] as { recordedEventId?: string }).recordedEventId;
    usageIds.set(USAGE.p2.id, `/plafond/ingestion#${recordedEventId ?? ''}`);
  });

  it(`4. this month, usage with and without a reservation, ${overKafka}, is debited from its department`, async () => {
    // r1 reserves before use; c1 names it, so allocation commits r1 with the usage's energy.
    const r1 = await reserve('r1', 'research', 'incident-triage', 1_500_000_000n);
    expect(outcome(r1)).toEqual([
      201,
      expect.objectContaining({
        reservationId: 'r1',
        budgetId: BUDGET,
        usefulnessClass: 'essential',
        status: 'pending',
        amount: '1500000000',
        // 6 000 000 000 − 2 000 000 000 (p1) − 1 500 000 000
        available: '2500000000',
      }),
    ]);
    expect(await report(USAGE.c1, 3_500_000_000n)).toMatchObject({ reserved: '0' });
    expect((await admin.allocation.get('/v1/reservations/r1')).body).toMatchObject({
      status: 'committed',
      committedAmount: '1500000000',
    });
    // Without a reservation: debited directly.
    await report(USAGE.c2, 4_500_000_000n);

    const r5 = await reserve('r5', 'support', 'code-review', 300_000_000n);
    expect(outcome(r5)).toEqual([201, expect.objectContaining({ available: '500000000' })]);
    expect(await report(USAGE.c5, 1_500_000_000n)).toMatchObject({ reserved: '0' });
    expect((await admin.allocation.get('/v1/reservations/r5')).body).toMatchObject({
      status: 'committed',
      committedAmount: '300000000',
    });
  });

  it('5. under scarcity, discretionary use is shed first while essential use is granted', async () => {
    // research has used 4 500 000 000 of 6 000 000 000; discretionary is shed above 80 %
    // (4 800 000 000): 4 500 000 000 + 500 000 000 passes it, although quota is available.
    const shed = await reserve('r2', 'research', 'ad-copy', 500_000_000n);
    expect(outcome(shed)).toEqual([
      422,
      expect.objectContaining({
        code: 'USECASE.SHED_ABOVE_UTILISATION',
        details: expect.objectContaining({
          className: 'discretionary',
          requested: '500000000',
          available: '1500000000',
          shedAboveUtilisationBasisPoints: 8000,
          usedInAllocation: '4500000000',
          allocated: '6000000000',
        }),
      }),
    ]);
    const granted = await reserve('r3', 'research', 'incident-triage', 500_000_000n);
    expect(outcome(granted)).toEqual([
      201,
      expect.objectContaining({
        usefulnessClass: 'essential',
        status: 'pending',
        available: '1000000000',
      }),
    ]);
    expect(await report(USAGE.c3, 5_000_000_000n)).toMatchObject({
      reserved: '0',
      available: '1000000000',
      overrun: '0',
    });
  });

  it('6. marketing reaches its ceiling: an overrun is flagged and its reservations are refused', async () => {
    const after = await report(USAGE.c4, 1_300_000_000n);
    const blocked = await waitFor(
      async () => {
        const current = await balance('marketing');
        return current.blocked ? current : undefined;
      },
      { ...SETTLE, description: 'marketing blocked by its overrun' },
    );
    expect(blocked).toMatchObject({
      allocated: '1000000000',
      reserved: '0',
      committed: '1300000000',
      available: '0',
      overrun: '300000000',
      blocked: true,
    });
    expect(after.overrun).toBe('300000000');
    // Refused whatever the class: even an essential reservation.
    const refused = await reserve('r4', 'marketing', 'incident-triage', 100_000_000n);
    expect(outcome(refused)).toEqual([
      422,
      expect.objectContaining({
        code: 'QUOTA.UNIT_BLOCKED',
        details: expect.objectContaining({
          requested: '100000000',
          available: '0',
          overrun: '300000000',
        }),
      }),
    ]);
    // The other departments are untouched; the budget's totals add up.
    const all = await admin.allocation.get<{
      totals: Json;
      units: (Balance & { unitId: string })[];
    }>(`/v1/budgets/${BUDGET}/balances`);
    expectStatus(all, 200);
    expect(all.body.totals).toEqual({
      allocated: '9000000000',
      reserved: '0',
      committed: '7800000000',
      // research 1 000 000 000 + support 500 000 000 + marketing 0
      available: '1500000000',
      overrun: '300000000',
    });
  });

  it('7. billing charged every usage and the surcharge; finance closes the previous month', async () => {
    await waitFor(
      async () =>
        linesOf(await statement('acme', P)) === 3 && linesOf(await statement('acme', C)) === 6,
      { ...SETTLE, description: 'billing to charge 3 lines in P and 6 in C' },
    );
    const running = await statement('acme', P);
    expect(running.status).toBe('open');
    expect(running.currencies.map((c) => [c.currency, c.totalMicro, c.lines])).toEqual([
      ['EUR', P_TOTAL.toString(), 3],
    ]);
    expect(running.tree.map((node) => [node.unitId, node.depth, node.own, node.subtree])).toEqual([
      ['acme', 0, {}, { EUR: P_TOTAL.toString() }],
      ['marketing', 1, { EUR: '413008' }, { EUR: '413008' }],
      ['research', 1, { EUR: '516260' }, { EUR: '516260' }],
      ['support', 1, { EUR: '387195' }, { EUR: '387195' }],
    ]);
    const current = await statement('acme', C);
    expect(current.currencies.map((c) => [c.currency, c.totalMicro, c.lines])).toEqual([
      ['EUR', C_TOTAL.toString(), 6],
    ]);
    // By class and kind: the discretionary surcharge is marketing's overrun.
    expect(
      (current.currencies[0]?.groups ?? []).map((group) => [
        group.usefulnessClass,
        group.kind,
        group.lines,
        group.energyMicroWh,
        group.carbonMicroGrams,
        group.amountMicro,
      ]),
    ).toEqual([
      ['discretionary', 'usage', 1, '500000000', '40650000', '258130'],
      ['discretionary', 'surcharge', 1, '0', '0', SURCHARGE_C4.toString()],
      // c1 + c3
      ['essential', 'usage', 2, '2000000000', '162600000', '516260'],
      // c2 + c5: 322 663 + 96 799
      ['standard', 'usage', 2, '1300000000', '105690000', '419462'],
    ]);

    const closed = await finance.post<{ period: Json; invoices: Invoice[] }>(
      `/v1/periods/${P}/close`,
      { reason: 'month-end close' },
    );
    expectStatus(closed, 200);
    expect(closed.body.period).toMatchObject({
      period: P,
      invoiceCount: 3,
      firstInvoice: `INV-${P}-0001`,
      lastInvoice: `INV-${P}-0003`,
      totalsMicro: { EUR: P_TOTAL.toString() },
    });
    expect(
      closed.body.invoices.map((invoice) => [
        invoice.invoiceNumber,
        invoice.unitId,
        invoice.currency,
        invoice.costCentre,
        invoice.totalMicro,
        invoice.lineCount,
      ]),
    ).toEqual([
      [`INV-${P}-0001`, 'marketing', 'EUR', 'marketing', '413008', 1],
      [`INV-${P}-0002`, 'research', 'EUR', 'research', '516260', 1],
      [`INV-${P}-0003`, 'support', 'EUR', 'support', '387195', 1],
    ]);
    expect(outcome(await finance.post(`/v1/periods/${P}/close`, {}))).toEqual([
      409,
      expect.objectContaining({ code: 'BILLING.PERIOD_ALREADY_CLOSED' }),
    ]);
    expect((await statement('acme', P)).status).toBe('closed');
  });

  it('8. the invoices and the journal CSV hold exactly the usage', async () => {
    const invoices = await finance.get<Invoice[]>(`/v1/invoices?period=${P}`);
    expectStatus(invoices, 200);
    expect(sum(invoices.body.map((invoice) => BigInt(invoice.totalMicro)))).toBe(P_TOTAL);
    for (const usage of P_USAGE) {
      const summary = invoices.body.find((invoice) => invoice.unitId === usage.unitId);
      const invoice = await finance.get<{
        lines: { usageId: string; amountMicro: string; energyMicroWh: string }[];
      }>(`/v1/invoices/${summary?.invoiceNumber ?? 'none'}`);
      expectStatus(invoice, 200);
      expect(invoice.body.lines.map((line) => [line.usageId, line.amountMicro])).toEqual([
        [usageIds.get(usage.id), usage.amountMicro.toString()],
      ]);
    }

    const csv = await finance.get<string>(`/v1/exports/journal?period=${P}`);
    expectStatus(csv, 200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text.endsWith('\r\n')).toBe(true);
    // No cell here needs quoting (no comma, quote or line break): a split is the parse.
    expect(csv.text).not.toContain('"');
    const [header, ...rows] = csv.text
      .slice(0, -2)
      .split('\r\n')
      .map((line) => line.split(','));
    expect(header).toEqual(JOURNAL_COLUMNS);
    // One entry of two rows (debit the expense account at the unit's cost centre, credit the
    // carbon fund) per charge line, each naming the invoice that carries it.
    const invoiceOf: Record<string, string> = {
      marketing: `INV-${P}-0001`,
      research: `INV-${P}-0002`,
      support: `INV-${P}-0003`,
    };
    const expectedRows = P_USAGE.flatMap((usage) => [
      [
        '6980-AI-CARBON',
        usage.unitId,
        display(usage.amountMicro),
        '0.000000',
        'EUR',
        P,
        usage.unitId,
        invoiceOf[usage.unitId],
        '',
      ],
      [
        '4890-CARBON-FUND',
        '',
        '0.000000',
        display(usage.amountMicro),
        'EUR',
        P,
        usage.unitId,
        invoiceOf[usage.unitId],
        '',
      ],
    ]);
    const withoutIds = (row: string[]) => [...row.slice(1, 6), ...row.slice(8)];
    expect(rows.map(withoutIds).sort()).toEqual(expectedRows.sort());
    const micro = (cell: string | undefined) => BigInt((cell ?? '').replace('.', ''));
    expect(sum(rows.map((row) => micro(row[3])))).toBe(P_TOTAL);
    expect(sum(rows.map((row) => micro(row[4])))).toBe(P_TOTAL);
    // References name the usage as billing knows it; both rows of an entry share its id.
    for (const usage of P_USAGE) {
      const entry = rows.filter((row) => row[6] === `usage ${usageIds.get(usage.id) ?? ''}`);
      expect(entry).toHaveLength(2);
      expect(entry[0]?.[7]).toBe(entry[1]?.[7]);
    }

    // The current month, open: its journal carries C's six lines, no invoice yet.
    const currentCsv = await finance.get<string>(`/v1/exports/journal?period=${C}`);
    const currentRows = currentCsv.text
      .slice(0, -2)
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(','));
    expect(currentRows).toHaveLength(12);
    expect(sum(currentRows.map((row) => micro(row[3])))).toBe(C_TOTAL);
    expect(sum(currentRows.map((row) => micro(row[4])))).toBe(C_TOTAL);
    expect(currentRows.filter((row) => row[10] !== '')).toEqual([]);
  });

  it('9. reconciliation finds no difference between usage recorded and billed', async () => {
    const reconciled = async (period: string) => {
      const answer = await finance.get<{ status: string; units: ReconciliationUnit[] }>(
        `/v1/reconciliation?period=${period}`,
      );
      expectStatus(answer, 200);
      return [
        answer.body.status,
        answer.body.units.map((unit) => [
          unit.unitId,
          unit.recordedEnergyMicroWh,
          unit.recordedCarbonMicroGrams,
          unit.billedEnergyMicroWh,
          unit.billedCarbonMicroGrams,
          unit.match,
        ]),
      ];
    };
    expect(await reconciled(P)).toEqual([
      'match',
      [
        ['marketing', '800000000', '65040000', '800000000', '65040000', true],
        ['research', '2000000000', '162600000', '2000000000', '162600000', true],
        ['support', '1200000000', '97560000', '1200000000', '97560000', true],
      ],
    ]);
    expect(await reconciled(C)).toEqual([
      'match',
      [
        ['marketing', '500000000', '40650000', '500000000', '40650000', true],
        // c1 + c2 + c3
        ['research', '3000000000', '243900000', '3000000000', '243900000', true],
        ['support', '300000000', '24390000', '300000000', '24390000', true],
      ],
    ]);
  });

  it('10. operations: every projection replays to an identical digest, every ledger verifies', async () => {
    // Allocation's unit_balances projection runs behind the ledger: once it has caught up, its
    // rebuild covers every allocation event.
    await waitFor(
      async () => {
        const answer =
          await admin.allocation.get<{ name: string; lag: string | null }[]>(
            '/v1/admin/projections',
          );
        return answer.status === 200 && answer.body.every((projection) => projection.lag === '0');
      },
      { ...SETTLE, description: "allocation's projections to catch up" },
    );
    const allocationReplay = await admin.allocation.get<Json>('/v1/admin/replay');
    expect(outcome(allocationReplay)).toEqual([
      200,
      expect.objectContaining({
        projection: 'unit-balances',
        // One row per account: acme and the three departments.
        live: expect.objectContaining({ rowCounts: { unit_balances: 4 } }),
        match: true,
      }),
    ]);
    expect(allocationReplay.body.live).toEqual(allocationReplay.body.rebuilt);
    // The rebuild replayed the whole ledger: as many events as its verification checks.
    const allocationLedger = await admin.allocation.get<Json>('/v1/admin/ledger/verify');
    expect(allocationReplay.body.eventsApplied).toBe(allocationLedger.body.eventsChecked);
    // Billing's books are applied with the events (no lag): rebuilt up to the same ledger head.
    const billingReplay = await admin.billing.get<Json>('/v1/admin/replay');
    expect(outcome(billingReplay)).toEqual([
      200,
      expect.objectContaining({
        projection: 'billing-books',
        live: expect.objectContaining({
          rowCounts: expect.objectContaining({ charge_lines: 9, invoices: 3, periods: 1 }),
        }),
        match: true,
      }),
    ]);
    expect(billingReplay.body.live).toEqual(billingReplay.body.rebuilt);
    const billingLedger = await admin.billing.get<Json>('/v1/admin/ledger/verify');
    expect(billingReplay.body.eventsApplied).toBe(billingLedger.body.eventsChecked);
    // Ingestion keeps no projection of its ledger; its chains, like the others', verify.
    for (const service of ['allocation', 'ingestion', 'billing'] as const) {
      const verified = await admin[service].get<Json>('/v1/admin/ledger/verify');
      expect({ service, outcome: outcome(verified) }).toEqual({
        service,
        outcome: [200, expect.objectContaining({ ok: true })],
      });
    }
    // Ingestion recorded exactly the eight usages, one stream each.
    expect((await admin.ingestion.get<Json>('/v1/admin/ledger/verify')).body).toEqual({
      ok: true,
      eventsChecked: 8,
      streamsChecked: 8,
    });
  });

  it('11. stops on SIGTERM, every process exiting 0', async () => {
    const exits = await running().stop();
    expect(Object.values(exits)).toEqual(
      Object.values(exits).map(() => ({ code: 0, signal: null })),
    );
    const output = running().output();
    expect(output).not.toContain('"level":"error"');
    // Embedded: no connection held PGlite's one session long enough for the watchdog to warn
    // (the sign of code awaiting a second connection inside an open transaction).
    expect(output).not.toContain('owned the database for too long');
  }, 60_000);
}
