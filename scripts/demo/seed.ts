// The demo organisation a first run starts with, made over the three services' public HTTP APIs
// only (what an admin would type), so it exercises the same paths as any client and works the
// same embedded or distributed:
//
//   demo-org (perimeter, open energy budget for the current UTC month)
//   ├─ bu-digital      headcount 60 ─┬─ dept-customer-care   tier essential
//   │                                └─ dept-marketing       tier discretionary
//   └─ bu-operations   headcount 40 ─┬─ dept-logistics       tier essential
//                                    └─ dept-research        tier standard
//
// demo-org splits its budget between the business units by headcount (5 % held back as
// contingency); each business unit splits its share between its departments by headcount
// weighted by usefulness tier (essential ×3, standard ×2, discretionary ×1). Billing gets a EUR
// price schedule (carbon price and class multipliers) in force since the start of the month and
// a profile per business unit; ingestion an integrator with a key; billing a finance key.
import { ApiClient, pollUntil } from './http';

export interface DemoSeedOptions {
  urls: { allocation: string; ingestion: string; billing: string };
  adminKey: string;
  log?: (line: string) => void;
}

export interface DemoSeed {
  perimeterId: string;
  budgetId: string;
  /** name → id */
  units: Record<string, string>;
  integrator: { integratorId: string; keyId: string; key: string };
  finance?: { keyId: string; key: string };
  period: { startsAt: string; endsAt: string };
}

export const DEMO_PERIMETER_ID = 'demo-org';
/** Energy ceiling of the demo month: 500 kWh, in µWh. */
export const DEMO_CEILING_MICRO_WH = '500000000000';
/** How long the seed waits for billing to learn the units from allocation's events. */
const UNIT_PROPAGATION_TIMEOUT_MS = 60_000;

interface DemoUnit {
  readonly unitId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly headcount?: string;
  /** Usefulness tier of a department in its business unit's split. */
  readonly tier?: 'essential' | 'standard' | 'discretionary';
}

export const DEMO_UNITS: readonly DemoUnit[] = [
  { unitId: DEMO_PERIMETER_ID, parentId: null, name: 'Demo organisation' },
  { unitId: 'bu-digital', parentId: DEMO_PERIMETER_ID, name: 'Digital', headcount: '60' },
  { unitId: 'bu-operations', parentId: DEMO_PERIMETER_ID, name: 'Operations', headcount: '40' },
  {
    unitId: 'dept-customer-care',
    parentId: 'bu-digital',
    name: 'Customer care',
    headcount: '25',
    tier: 'essential',
  },
  {
    unitId: 'dept-marketing',
    parentId: 'bu-digital',
    name: 'Marketing',
    headcount: '35',
    tier: 'discretionary',
  },
  {
    unitId: 'dept-logistics',
    parentId: 'bu-operations',
    name: 'Logistics',
    headcount: '15',
    tier: 'essential',
  },
  {
    unitId: 'dept-research',
    parentId: 'bu-operations',
    name: 'Research',
    headcount: '25',
    tier: 'standard',
  },
];

export const DEMO_USE_CASES = [
  { useCase: 'support-chat', className: 'essential', description: 'Customer support assistant' },
  { useCase: 'route-planning', className: 'essential', description: 'Delivery route planning' },
  { useCase: 'code-assist', className: 'standard', description: 'Coding assistant' },
  { useCase: 'doc-summary', className: 'standard', description: 'Document summaries' },
  { useCase: 'slide-polish', className: 'discretionary', description: 'Slide and copy polishing' },
] as const;

const TIERS = [
  { tier: 'essential', multiplier: '3' },
  { tier: 'standard', multiplier: '2' },
  { tier: 'discretionary', multiplier: '1' },
];

/** The UTC month containing `now`: its key and `[startsAt, endsAt)`. */
export function demoMonth(now: Date): { month: string; startsAt: string; endsAt: string } {
  const year = now.getUTCFullYear();
  const monthIndex = now.getUTCMonth();
  const month = `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}`;
  return {
    month,
    startsAt: new Date(Date.UTC(year, monthIndex, 1)).toISOString(),
    endsAt: new Date(Date.UTC(year, monthIndex + 1, 1)).toISOString(),
  };
}

/** The allocation policies: business units by headcount, departments by headcount × tier. */
export function demoPolicies(units: readonly DemoUnit[] = DEMO_UNITS): Record<string, unknown> {
  const policies: Record<string, unknown> = {};
  for (const parent of units) {
    const children = units.filter((unit) => unit.parentId === parent.unitId);
    if (children.length === 0) continue;
    const tiered = children.every((child) => child.tier !== undefined);
    policies[parent.unitId] = tiered
      ? {
          rule: {
            kind: 'tiers',
            mode: 'weighted',
            weightAttribute: 'headcount',
            tiers: TIERS,
            members: children.map((child) => ({ childId: child.unitId, tier: child.tier })),
          },
        }
      : {
          contingency: { basisPoints: 500 },
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
        };
  }
  return policies;
}

/**
 * Seeds the demo organisation. Any non-2xx answer throws an Error naming the step, the HTTP
 * status, the error code and its message. Meant for a fresh system (first run): on one that has
 * the demo already, the first write answers 409 and the seed stops there.
 */
export async function seedDemo(options: DemoSeedOptions): Promise<DemoSeed> {
  const log = options.log ?? (() => undefined);
  const allocation = new ApiClient(options.urls.allocation, options.adminKey);
  const ingestion = new ApiClient(options.urls.ingestion, options.adminKey);
  const billing = new ApiClient(options.urls.billing, options.adminKey);
  const { month, startsAt, endsAt } = demoMonth(new Date());
  const monthStart = startsAt.slice(0, 10);
  const budgetId = `demo-energy-${month}`;

  for (const unit of DEMO_UNITS) {
    await allocation.call(`create unit ${unit.unitId}`, 'POST', '/v1/units', {
      unitId: unit.unitId,
      parentId: unit.parentId,
      name: unit.name,
      ...(unit.headcount === undefined
        ? {}
        : { attributes: { effectiveFrom: monthStart, values: { headcount: unit.headcount } } }),
    });
  }
  log(`allocation: ${DEMO_UNITS.length} units under ${DEMO_PERIMETER_ID}`);

  for (const useCase of DEMO_USE_CASES) {
    await allocation.call(`create use case ${useCase.useCase}`, 'POST', '/v1/use-cases', useCase);
  }
  log(`allocation: ${DEMO_USE_CASES.length} use cases (essential, standard, discretionary)`);

  await allocation.call(`open budget ${budgetId}`, 'POST', '/v1/budgets', {
    budgetId,
    perimeterUnitId: DEMO_PERIMETER_ID,
    dimension: 'energy',
    period: { kind: 'month', month },
    ceiling: DEMO_CEILING_MICRO_WH,
    reason: 'demo organisation',
  });
  await allocation.call(
    `allocate budget ${budgetId}`,
    'POST',
    `/v1/budgets/${budgetId}/allocations`,
    {
      allocationId: 'demo-round-1',
      policies: demoPolicies(),
      reason: 'demo organisation: by headcount, then by usefulness tier',
    },
  );
  log(`allocation: budget ${budgetId} open (500 kWh), allocated by weights and usefulness`);

  const integrator = await ingestion.call<{ integratorId: string }>(
    'register integrator demo-gateway',
    'POST',
    '/v1/integrators',
    {
      integratorId: 'demo-gateway',
      name: 'Demo LLM gateway',
      source: 'urn:plafond:demo:gateway',
      unitIds: null,
    },
  );
  const integratorKey = await ingestion.call<{ keyId: string; key: string }>(
    'create integrator key',
    'POST',
    `/v1/integrators/${integrator.integratorId}/keys`,
    { name: 'demo gateway key' },
  );
  log(`ingestion: integrator ${integrator.integratorId} with a key`);

  await billing.call('publish EUR price schedule', 'POST', '/v1/price-schedules', {
    currency: 'EUR',
    effectiveFrom: startsAt,
    carbonPricePerTonne: '120.00',
    energyPricePerKwh: '0.05',
    classMultipliers: { essential: '1', standard: '1.25', discretionary: '2' },
    defaultMultiplier: '1',
    overrunTiers: [
      { fromPercentOfAllocation: '0', surchargePercent: '50' },
      { fromPercentOfAllocation: '20', surchargePercent: '100' },
    ],
    reason: 'demo internal carbon price',
  });
  const finance = await billing.call<{ keyId: string; key: string }>(
    'create finance key',
    'POST',
    '/v1/api-keys',
    { name: 'demo finance', role: 'finance' },
  );
  log('billing: EUR price schedule in force, finance key');

  // Billing learns units from allocation's events: profiles need them, so wait for the leaves.
  await waitForBillingUnits(
    billing,
    DEMO_UNITS.map((unit) => unit.unitId),
  );
  for (const unit of DEMO_UNITS.filter((candidate) => candidate.parentId === DEMO_PERIMETER_ID)) {
    await billing.call(
      `set billing profile ${unit.unitId}`,
      'PUT',
      `/v1/billing-profiles/${unit.unitId}`,
      {
        currency: 'EUR',
        costCentre: `CC-${unit.unitId.toUpperCase()}`,
      },
    );
  }
  log('billing: units known, a cost centre per business unit');

  return {
    perimeterId: DEMO_PERIMETER_ID,
    budgetId,
    units: Object.fromEntries(DEMO_UNITS.map((unit) => [unit.name, unit.unitId])),
    integrator: {
      integratorId: integrator.integratorId,
      keyId: integratorKey.keyId,
      key: integratorKey.key,
    },
    finance: { keyId: finance.keyId, key: finance.key },
    period: { startsAt, endsAt },
  };
}

/** Polls billing's profile of each unit until none answers 404 BILLING.UNIT_NOT_FOUND. */
async function waitForBillingUnits(billing: ApiClient, unitIds: readonly string[]): Promise<void> {
  for (const unitId of unitIds) {
    await pollUntil(
      `billing to learn unit ${unitId} from allocation's events`,
      async () => {
        const answer = await billing.send('GET', `/v1/billing-profiles/${unitId}`);
        if (answer.status === 200) return true;
        if (answer.status === 404) return undefined;
        throw new Error(`GET /v1/billing-profiles/${unitId} answered ${answer.status}`);
      },
      UNIT_PROPAGATION_TIMEOUT_MS,
    );
  }
}
