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
// a profile per business unit; ingestion an integrator with a key; billing a finance key. Then
// the month so far is played (activity.ts): usage per department per elapsed day through
// ingestion, one department's rebound, one refused reservation.
//
// Resumable: a host killed halfway through the first run (Ctrl-C, kill -9) seeds again on its
// next start, so every step accepts what an earlier attempt left — and only that. Units, use
// cases, the budget and the integrator are read before they are created: the demo's own is kept,
// anything else under the demo's id stops the seed (DemoSeedConflictError naming the
// differences) rather than building the demo on someone else's data; a 409 *.ALREADY_EXISTS to a
// create is judged the same way. The allocation round is idempotent by its id (the same round
// again answers the stored one; another one is 409 IDEMPOTENCY.CONFLICT), the price schedule is
// read before it is published, the billing profiles are PUTs. Keys cannot be read back (only
// their hashes are stored), so each run issues a new integrator key and a new finance key; those
// of an interrupted attempt were never shown and are simply never used. The activity's usage ids
// are deterministic: usage an interrupted attempt posted comes back `duplicate`, applied once.
import { playDemoActivity, type DemoActivity } from './activity';
import { ApiCallError, ApiClient, errorBody, pollUntil } from './http';

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
  /**
   * What the seed played of the month so far (usage, the refused reservation); always set by
   * seedDemo, optional for seeds recorded before it played any.
   */
  activity?: DemoActivity;
  /** True when some of the demo was already there (an interrupted seed, resumed). */
  resumed?: boolean;
}

/** A resource the seed would create exists already and is not the demo's. */
export class DemoSeedConflictError extends Error {
  constructor(
    readonly step: string,
    readonly code: string,
    readonly differences: readonly string[],
  ) {
    super(
      `${step}: ${code}, and the existing one is not the demo's (${differences.join('; ')}); ` +
        'the seed leaves it as it is',
    );
    this.name = 'DemoSeedConflictError';
  }
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

/** The allocation round: its id makes a retry answer the stored round instead of a second one. */
export const DEMO_ALLOCATION_ID = 'demo-round-1';

export const DEMO_INTEGRATOR = {
  integratorId: 'demo-gateway',
  name: 'Demo LLM gateway',
  source: 'urn:plafond:demo:gateway',
  unitIds: null,
} as const;

/** The EUR price schedule, effective from the start of the demo month. */
const DEMO_SCHEDULE = {
  currency: 'EUR',
  carbonPricePerTonne: '120.00',
  energyPricePerKwh: '0.05',
  classMultipliers: { essential: '1', standard: '1.25', discretionary: '2' },
  defaultMultiplier: '1',
  overrunTiers: [
    { fromPercentOfAllocation: '0', surchargePercent: '50' },
    { fromPercentOfAllocation: '20', surchargePercent: '100' },
  ],
  reason: 'demo internal carbon price',
} as const;
/** The same prices as billing reads them back (micro-units). */
const DEMO_SCHEDULE_MICRO = { carbonPricePerTonne: '120000000', energyPricePerKwh: '50000' };

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
 * Seeds the demo organisation, or completes what an interrupted run of it left (see the top of
 * this file); run again on a complete demo it changes nothing but issues new keys. Any other
 * non-2xx answer throws an ApiCallError naming the step, the HTTP status, the error code and its
 * message; an existing resource that is not the demo's throws a DemoSeedConflictError.
 */
export async function seedDemo(options: DemoSeedOptions): Promise<DemoSeed> {
  const log = options.log ?? (() => undefined);
  const allocation = new ApiClient(options.urls.allocation, options.adminKey);
  const ingestion = new ApiClient(options.urls.ingestion, options.adminKey);
  const billing = new ApiClient(options.urls.billing, options.adminKey);
  const { month, startsAt, endsAt } = demoMonth(new Date());
  const monthStart = startsAt.slice(0, 10);
  const budgetId = `demo-energy-${month}`;

  let resumed = false;
  const found = (outcome: 'created' | 'found', what: string): void => {
    if (outcome !== 'found' || resumed) return;
    resumed = true;
    log(`resuming an interrupted seed: ${what} is there already (kept; keys will be new ones)`);
  };

  for (const unit of DEMO_UNITS) {
    found(
      await createOrFind(allocation, {
        step: `create unit ${unit.unitId}`,
        path: '/v1/units',
        body: {
          unitId: unit.unitId,
          parentId: unit.parentId,
          name: unit.name,
          ...(unit.headcount === undefined
            ? {}
            : { attributes: { effectiveFrom: monthStart, values: { headcount: unit.headcount } } }),
        },
        existsCode: 'UNIT.ALREADY_EXISTS',
        read: () =>
          readOrAbsent<UnitRead>(
            allocation,
            `read unit ${unit.unitId}`,
            `/v1/units/${unit.unitId}`,
          ),
        differences: (existing) => unitDifferences(unit, existing),
        createWhenFound: true,
      }),
      `unit ${unit.unitId}`,
    );
  }
  log(`allocation: ${DEMO_UNITS.length} units under ${DEMO_PERIMETER_ID}`);

  for (const useCase of DEMO_USE_CASES) {
    found(
      await createOrFind(allocation, {
        step: `create use case ${useCase.useCase}`,
        path: '/v1/use-cases',
        body: useCase,
        existsCode: 'CATALOG.USE_CASE_ALREADY_EXISTS',
        read: async () => {
          const all = await allocation.call<UseCaseRead[]>(
            'read use cases',
            'GET',
            '/v1/use-cases',
          );
          return all.find((candidate) => candidate.useCase === useCase.useCase);
        },
        differences: (existing) =>
          [
            differs('className', existing.className, useCase.className),
            differs('description', existing.description, useCase.description),
            existing.retired ? 'retired' : undefined,
          ].filter(isDefined),
      }),
      `use case ${useCase.useCase}`,
    );
  }
  log(`allocation: ${DEMO_USE_CASES.length} use cases (essential, standard, discretionary)`);

  found(
    await createOrFind(allocation, {
      step: `open budget ${budgetId}`,
      path: '/v1/budgets',
      body: {
        budgetId,
        perimeterUnitId: DEMO_PERIMETER_ID,
        dimension: 'energy',
        period: { kind: 'month', month },
        ceiling: DEMO_CEILING_MICRO_WH,
        reason: 'demo organisation',
      },
      existsCode: 'BUDGET.ALREADY_EXISTS',
      read: () =>
        readOrAbsent<BudgetRead>(allocation, `read budget ${budgetId}`, `/v1/budgets/${budgetId}`),
      differences: (existing) =>
        [
          differs('perimeterUnitId', existing.perimeterUnitId, DEMO_PERIMETER_ID),
          differs('dimension', existing.dimension, 'energy'),
          differs('period', `${existing.period.kind} ${existing.period.key}`, `month ${month}`),
          differs('ceiling', existing.ceiling, DEMO_CEILING_MICRO_WH),
        ].filter(isDefined),
    }),
    `budget ${budgetId}`,
  );
  // Idempotent by its id: the same round again answers the stored allocation (nothing doubled);
  // another round under that id answers 409 IDEMPOTENCY.CONFLICT, which stops the seed.
  await allocation.call(
    `allocate budget ${budgetId}`,
    'POST',
    `/v1/budgets/${budgetId}/allocations`,
    {
      allocationId: DEMO_ALLOCATION_ID,
      policies: demoPolicies(),
      reason: 'demo organisation: by headcount, then by usefulness tier',
    },
  );
  log(`allocation: budget ${budgetId} open (500 kWh), allocated by weights and usefulness`);

  const integratorId = DEMO_INTEGRATOR.integratorId;
  found(
    await createOrFind(ingestion, {
      step: `register integrator ${integratorId}`,
      path: '/v1/integrators',
      body: DEMO_INTEGRATOR,
      existsCode: 'INTEGRATOR.ALREADY_EXISTS',
      read: () =>
        readOrAbsent<IntegratorRead>(
          ingestion,
          `read integrator ${integratorId}`,
          `/v1/integrators/${integratorId}`,
        ),
      differences: (existing) =>
        [
          differs('name', existing.name, DEMO_INTEGRATOR.name),
          differs('source', existing.source, DEMO_INTEGRATOR.source),
          existing.unitIds === null ? undefined : 'unitIds is a list, not null (every unit)',
          existing.disabledAt === null ? undefined : `disabled at ${existing.disabledAt}`,
        ].filter(isDefined),
    }),
    `integrator ${integratorId}`,
  );
  const integratorKey = await ingestion.call<{ keyId: string; key: string }>(
    'create integrator key',
    'POST',
    `/v1/integrators/${integratorId}/keys`,
    { name: 'demo gateway key' },
  );
  log(`ingestion: integrator ${integratorId} with a key`);

  if (await demoScheduleInForce(billing, startsAt)) found('found', 'the EUR price schedule');
  else {
    await billing.call('publish EUR price schedule', 'POST', '/v1/price-schedules', {
      ...DEMO_SCHEDULE,
      effectiveFrom: startsAt,
    });
  }
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

  const activity = await playDemoActivity({
    allocation,
    gateway: new ApiClient(options.urls.ingestion, integratorKey.key),
    budgetId,
    month,
    startsAt,
    now: new Date(),
    log,
  });

  return {
    perimeterId: DEMO_PERIMETER_ID,
    budgetId,
    units: Object.fromEntries(DEMO_UNITS.map((unit) => [unit.name, unit.unitId])),
    integrator: {
      integratorId,
      keyId: integratorKey.keyId,
      key: integratorKey.key,
    },
    finance: { keyId: finance.keyId, key: finance.key },
    period: { startsAt, endsAt },
    activity,
    ...(resumed ? { resumed } : {}),
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

// What the seed reads back of an existing resource (only the fields it compares).
interface UnitRead {
  readonly parentId: string | null;
  readonly name: string;
  readonly archived: boolean;
}
interface UseCaseRead {
  readonly useCase: string;
  readonly className: string;
  readonly description: string;
  readonly retired: boolean;
}
interface BudgetRead {
  readonly perimeterUnitId: string;
  readonly dimension: string;
  readonly period: { readonly kind: string; readonly key: string };
  readonly ceiling: string;
}
interface IntegratorRead {
  readonly name: string;
  readonly source: string;
  readonly unitIds: readonly string[] | null;
  readonly disabledAt: string | null;
}
interface ScheduleRead {
  readonly effectiveFrom: string;
  readonly carbonPricePerTonneMicro: string;
  readonly energyPricePerKwhMicro: string | null;
  readonly reason?: string;
}

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

function differs(field: string, actual: unknown, wanted: unknown): string | undefined {
  return actual === wanted
    ? undefined
    : `${field} is ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`;
}

function unitDifferences(unit: DemoUnit, existing: UnitRead): string[] {
  return [
    differs('parentId', existing.parentId, unit.parentId),
    differs('name', existing.name, unit.name),
    existing.archived ? 'archived' : undefined,
  ].filter(isDefined);
}

interface CreateOrFind<T> {
  readonly step: string;
  readonly path: string;
  readonly body: unknown;
  /** The 409 code of "this id is taken by another one"; any other error stops the seed. */
  readonly existsCode: string;
  /** The existing resource, undefined when there is none (404). */
  readonly read: () => Promise<T | undefined>;
  /** Why the existing resource is not the demo's; empty when it is. */
  readonly differences: (existing: T) => string[];
  /**
   * POST even when the demo's resource is there: the API takes the same create again as a retry
   * and completes it (a unit's attributes, which its read does not show, are set again).
   */
  readonly createWhenFound?: boolean;
}

/**
 * Reads before it creates: the demo's resource from an earlier attempt is kept ('found'), another
 * one under the demo's id stops the seed (DemoSeedConflictError, naming the differences). A 409
 * `existsCode` to the create itself (made meanwhile) is judged the same way.
 */
async function createOrFind<T>(
  client: ApiClient,
  spec: CreateOrFind<T>,
): Promise<'created' | 'found'> {
  const judge = (existing: T, code: string): 'found' => {
    const differences = spec.differences(existing);
    if (differences.length > 0) throw new DemoSeedConflictError(spec.step, code, differences);
    return 'found';
  };
  const before = await spec.read();
  if (before !== undefined) {
    judge(before, spec.existsCode);
    if (spec.createWhenFound === true) await client.call(spec.step, 'POST', spec.path, spec.body);
    return 'found';
  }
  let answer;
  try {
    answer = await client.send('POST', spec.path, spec.body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.step}: POST ${client.baseUrl}${spec.path} failed: ${reason}`);
  }
  if (answer.status >= 200 && answer.status <= 299) return 'created';
  const { code, message } = errorBody(answer.body);
  const after = answer.status === 409 && code === spec.existsCode ? await spec.read() : undefined;
  if (after === undefined) throw new ApiCallError(spec.step, answer.status, code, message);
  return judge(after, spec.existsCode);
}

/** GETs one resource: its body, or undefined on 404; any other non-2xx throws. */
async function readOrAbsent<T>(
  client: ApiClient,
  step: string,
  path: string,
): Promise<T | undefined> {
  const answer = await client.send<T>('GET', path);
  if (answer.status === 404) return undefined;
  if (answer.status < 200 || answer.status > 299) {
    const { code, message } = errorBody(answer.body);
    throw new ApiCallError(step, answer.status, code, message);
  }
  return answer.body;
}

/**
 * Whether the demo's EUR schedule is already published for the month (true), or none is from
 * its start on (false: publish it). Billing refuses a version not after the latest, so one
 * effective from that instant or later that is not the demo's would stop the publication: say so.
 */
async function demoScheduleInForce(billing: ApiClient, startsAt: string): Promise<boolean> {
  const step = 'publish EUR price schedule';
  const versions = await billing.call<ScheduleRead[]>(
    'read EUR price schedules',
    'GET',
    '/v1/price-schedules?currency=EUR',
  );
  const from = Date.parse(startsAt);
  const later = versions.filter((version) => Date.parse(version.effectiveFrom) >= from);
  if (later.length === 0) return false;
  const differences = later.flatMap((version) =>
    Date.parse(version.effectiveFrom) !== from
      ? [`a version effective from ${version.effectiveFrom}`]
      : [
          differs(
            'carbonPricePerTonneMicro',
            version.carbonPricePerTonneMicro,
            DEMO_SCHEDULE_MICRO.carbonPricePerTonne,
          ),
          differs(
            'energyPricePerKwhMicro',
            version.energyPricePerKwhMicro,
            DEMO_SCHEDULE_MICRO.energyPricePerKwh,
          ),
          differs('reason', version.reason, DEMO_SCHEDULE.reason),
        ].filter(isDefined),
  );
  if (differences.length > 0) {
    throw new DemoSeedConflictError(step, 'BILLING.SCHEDULE_NOT_AFTER_LATEST', differences);
  }
  return true;
}
