// One perimeter of units set up over HTTP on a running distributed system, for the runs that then
// drive many clients at it — the load suite (test/e2e/load) and the system bench
// (bench/system/system.bench.ts): a root unit with children of equal headcount, one essential use
// case, a hard energy budget whose ceiling splits exactly over the children, a price schedule in
// force, a gateway key (allocation, `service` role) and an integrator with a key (ingestion). It
// returns once billing and ingestion have learned every unit from allocation's events.
// HTTP goes through bench/support/http-load.ts, the keep-alive driver both use, so N clients are
// N sockets.
import { waitFor } from '@plafond/testing';
import {
  httpTarget,
  send,
  type HttpAnswer,
  type HttpTarget,
} from '../../../bench/support/http-load';
import { SERVICE_NAMES, type ServiceName } from '../processes';

const DAY_MS = 86_400_000;
const LEARN_BOUND_MS = 120_000;

/** Energy of every usage item these runs send, µWh, and the model they name. */
export const USAGE_ENERGY = 1000n;
export const USAGE_MODEL = 'meta-llama/meta-llama-3.1-70b-instruct';

export function json<T>(answer: HttpAnswer): T {
  return JSON.parse(answer.body) as T;
}

/** The answer, or a failure that shows it when the status is not the expected one. */
export async function expectStatus(
  pending: Promise<HttpAnswer>,
  status: number,
  what: string,
): Promise<HttpAnswer> {
  const answer = await pending;
  if (answer.status !== status)
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.body}`);
  return answer;
}

/** Refusals a client may retry as they are (overload): 429 or 503, as documented. */
export const isOverloaded = (answer: HttpAnswer) => answer.status === 429 || answer.status === 503;

/**
 * Sends until the answer is not an overload refusal, as a client should (same request, same ids,
 * after a pause): a refused request did nothing, so the retry applies it once. Bounded.
 */
export async function sendUntilAdmitted(
  target: HttpTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpAnswer> {
  let answer: HttpAnswer | undefined;
  await waitFor(
    async () => {
      answer = await send(target, method, path, body);
      return !isOverloaded(answer);
    },
    { timeoutMs: 60_000, intervalMs: 100, description: `${method} ${path} admitted` },
  );
  return answer as HttpAnswer;
}

/** A usage item's fields without its id (the `data` of a raw-topic CloudEvent). */
export function usageFields(useCase: string, unitId: string, occurredAt: string) {
  return {
    unitId,
    useCase,
    model: USAGE_MODEL,
    region: 'fr',
    requests: '1',
    measuredEnergyMicroWh: USAGE_ENERGY.toString(),
    occurredAt,
  };
}

/** SQL on the system's database (the directory tables billing keeps). */
export interface SystemQuery {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/** What a perimeter named `name` is made of besides its root unit (named `name` too). */
export function perimeterNames(name: string) {
  return {
    budgetId: `${name}-energy`,
    useCase: `${name}-inference`,
    /** The integrator's CloudEvents source. */
    source: `urn:${name}:gateway`,
  };
}

export interface PerimeterSpec {
  /** The root unit's id, and the others' names through perimeterNames. */
  readonly name: string;
  readonly units: readonly string[];
  /** Each unit's allocation. */
  readonly perUnit: bigint;
  /**
   * The units that get one warm-up usage (default: all): left out, a unit keeps its whole
   * allocation (a drain that must fit an exact number of reservations).
   */
  readonly warmupUnits?: readonly string[];
  /** Sockets of the gateway's target (concurrent reservation clients). */
  readonly clients: number;
  /** Sockets of the integrator's target (concurrent usage posters). */
  readonly posters: number;
}

export interface Perimeter {
  readonly budgetId: string;
  readonly useCase: string;
  readonly source: string;
  readonly units: readonly string[];
  /** Each unit's allocation (equal weights, so the ceiling splits exactly). */
  readonly perUnit: bigint;
  readonly admin: Record<ServiceName, HttpTarget>;
  /** Allocation, `service` role: the gateway that reserves. */
  readonly gateway: HttpTarget;
  /** Ingestion, the integrator's key. */
  readonly integrator: HttpTarget;
  /** Warm-up usage items ingestion accepted (one per warmed unit): they count in usage totals. */
  readonly warmupUsage: number;
}

/**
 * Sets the perimeter up, every request through sendUntilAdmitted (a system with tiny admission
 * bounds refuses some), and waits for billing and ingestion to know every unit: billing from its
 * directory tables, ingestion by accepting one warm-up usage per warmed unit.
 */
export async function setUpPerimeter(
  system: { readonly urls: Record<ServiceName, string>; readonly adminKey: string },
  db: SystemQuery,
  spec: PerimeterSpec,
): Promise<Perimeter> {
  const { name, units, perUnit } = spec;
  const { budgetId, useCase, source } = perimeterNames(name);
  const admin = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      httpTarget(system.urls[service], 16, { authorization: `Bearer ${system.adminKey}` }),
    ]),
  ) as Record<ServiceName, HttpTarget>;
  const post = (service: ServiceName, path: string, body: unknown, what: string) =>
    expectStatus(sendUntilAdmitted(admin[service], 'POST', path, body), 201, what);

  await post(
    'allocation',
    '/v1/use-cases',
    { useCase, className: 'essential', description: `${name} inference` },
    'use case',
  );
  await post('allocation', '/v1/units', { unitId: name, parentId: null, name }, 'root unit');
  for (const unitId of units)
    await post(
      'allocation',
      '/v1/units',
      {
        unitId,
        parentId: name,
        name: unitId,
        attributes: { effectiveFrom: '2020-01-01', values: { headcount: '1' } },
      },
      `unit ${unitId}`,
    );
  const now = Date.now();
  const day = (offset: number) => new Date(now + offset * DAY_MS).toISOString().slice(0, 10);
  await post(
    'allocation',
    '/v1/budgets',
    {
      budgetId,
      perimeterUnitId: name,
      dimension: 'energy',
      period: { kind: 'range', startsOn: day(-1), endsOn: day(1) },
      timeZone: 'UTC',
      mode: 'hard',
      ceiling: (perUnit * BigInt(units.length)).toString(),
      reason: name,
    },
    'budget',
  );
  await post(
    'allocation',
    `/v1/budgets/${budgetId}/allocations`,
    {
      allocationId: `${name}-1`,
      policies: {
        [name]: {
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
        },
      },
      reason: name,
    },
    'allocation',
  );
  const serviceKey = json<{ key: string }>(
    await post('allocation', '/v1/api-keys', { name: 'gateway', role: 'service' }, 'service key'),
  ).key;
  await post(
    'ingestion',
    '/v1/integrators',
    { integratorId: 'gateway', name: 'Gateway', source, unitIds: null },
    'integrator',
  );
  const integratorKey = json<{ key: string }>(
    await post('ingestion', '/v1/integrators/gateway/keys', { name }, 'integrator key'),
  ).key;
  // Billing prices usage with what it learned from allocation's events: its directory tables.
  await waitFor(
    async () => {
      const [row] = await db.query<{ units: string; use_cases: string }>(
        `SELECT (SELECT count(*) FROM billing.units)::text AS units,
                (SELECT count(*) FROM billing.use_cases WHERE use_case = $1)::text AS use_cases`,
        [useCase],
      );
      return row?.units === String(units.length + 1) && row.use_cases === '1';
    },
    { timeoutMs: LEARN_BOUND_MS, intervalMs: 250, description: 'billing to learn the units' },
  );
  const financeKey = json<{ key: string }>(
    await post('billing', '/v1/api-keys', { name: 'finance', role: 'finance' }, 'finance key'),
  ).key;
  await expectStatus(
    sendUntilAdmitted(
      httpTarget(system.urls.billing, 1, { authorization: `Bearer ${financeKey}` }),
      'POST',
      '/v1/price-schedules',
      {
        currency: 'EUR',
        effectiveFrom: new Date(now - 2 * DAY_MS).toISOString(),
        carbonPricePerTonne: '100.00',
        energyPricePerKwh: '0.25',
        classMultipliers: { essential: '1', standard: '1.25', discretionary: '2' },
        defaultMultiplier: '1',
        overrunTiers: [{ fromPercentOfAllocation: '0', surchargePercent: '25' }],
        reason: name,
      },
    ),
    201,
    'price schedule',
  );
  const integrator = httpTarget(system.urls.ingestion, spec.posters, {
    authorization: `Bearer ${integratorKey}`,
  });
  // Ingestion learns units from allocation's events too: one usage per unit, resent (same ids)
  // until none is rejected; a resent accepted item is a duplicate, so each counts once.
  const occurredAt = new Date(Date.now() - 1000).toISOString();
  const warmup = (spec.warmupUnits ?? units).map((unitId, n) => ({
    id: `warm-${n}`,
    ...usageFields(useCase, unitId, occurredAt),
  }));
  await waitFor(
    async () => {
      const answer = json<{ items: { status: string }[] }>(
        await sendUntilAdmitted(integrator, 'POST', '/v1/usage', warmup),
      );
      return answer.items.every((item) => item.status !== 'rejected');
    },
    { timeoutMs: LEARN_BOUND_MS, intervalMs: 500, description: 'ingestion to learn every unit' },
  );
  return {
    budgetId,
    useCase,
    source,
    units,
    perUnit,
    admin,
    gateway: httpTarget(system.urls.allocation, spec.clients, {
      authorization: `Bearer ${serviceKey}`,
    }),
    integrator,
    warmupUsage: warmup.length,
  };
}
