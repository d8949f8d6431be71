// What the load suite needs around a running distributed system: a perimeter of units set up over
// HTTP (as the system bench does), closed-loop clients that run a FIXED number of steps (counts,
// never durations: speed belongs in bench/), the system's database for ledger counts, and an RSS
// sampler of the service processes. HTTP goes through bench/support/http-load.ts, the same
// keep-alive driver the bench uses, so 200 clients are 200 sockets.
import { waitFor } from '@plafond/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import {
  httpTarget,
  send,
  type HttpAnswer,
  type HttpTarget,
} from '../../../bench/support/http-load';
import { SERVICE_NAMES, type ServiceName } from '../processes';
import type { RunningSystem } from '../system/harness';

const DAY_MS = 86_400_000;
export const USE_CASE = 'load-inference';
export const SOURCE = 'urn:load:gateway';
const MODEL = 'meta-llama/meta-llama-3.1-70b-instruct';

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

export interface Perimeter {
  readonly budgetId: string;
  readonly units: readonly string[];
  /** Each unit's allocation (equal weights, so the ceiling splits exactly). */
  readonly perUnit: bigint;
  readonly admin: Record<ServiceName, HttpTarget>;
  /** Allocation, `service` role: the gateway that reserves. */
  readonly gateway: HttpTarget;
  /** Ingestion, the integrator's key. */
  readonly integrator: HttpTarget;
}

/**
 * One perimeter `load` with `units` children of equal headcount (each allocated `perUnit`), one
 * essential use case, a price schedule in force, an integrator with a key; returns when billing
 * and ingestion have learned every unit (ingestion accepted one warm-up usage per unit: they
 * count in the usage totals, `warmupUsage` each).
 */
export async function setUpPerimeter(
  system: RunningSystem,
  db: SystemDatabase,
  options: { units: readonly string[]; perUnit: bigint; clients: number; posters: number },
): Promise<Perimeter & { warmupUsage: number }> {
  const { units, perUnit } = options;
  const admin = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      httpTarget(system.urls[service], 16, { authorization: `Bearer ${system.adminKey}` }),
    ]),
  ) as Record<ServiceName, HttpTarget>;
  const budgetId = 'load-energy';
  // Through sendUntilAdmitted: the overload system runs with tiny pools and bounds.
  const post = (service: ServiceName, path: string, body: unknown, what: string) =>
    expectStatus(sendUntilAdmitted(admin[service], 'POST', path, body), 201, what);

  await post(
    'allocation',
    '/v1/use-cases',
    { useCase: USE_CASE, className: 'essential', description: 'Load inference' },
    'use case',
  );
  await post('allocation', '/v1/units', { unitId: 'load', parentId: null, name: 'Load' }, 'root');
  for (const unitId of units)
    await post(
      'allocation',
      '/v1/units',
      {
        unitId,
        parentId: 'load',
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
      perimeterUnitId: 'load',
      dimension: 'energy',
      period: { kind: 'range', startsOn: day(-1), endsOn: day(1) },
      timeZone: 'UTC',
      mode: 'hard',
      ceiling: (perUnit * BigInt(units.length)).toString(),
      reason: 'load test',
    },
    'budget',
  );
  await post(
    'allocation',
    `/v1/budgets/${budgetId}/allocations`,
    {
      allocationId: 'load-1',
      policies: {
        load: {
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
        },
      },
      reason: 'load test',
    },
    'allocation',
  );
  const serviceKey = json<{ key: string }>(
    await post('allocation', '/v1/api-keys', { name: 'gateway', role: 'service' }, 'service key'),
  ).key;
  await post(
    'ingestion',
    '/v1/integrators',
    { integratorId: 'gateway', name: 'Gateway', source: SOURCE, unitIds: null },
    'integrator',
  );
  const integratorKey = json<{ key: string }>(
    await post('ingestion', '/v1/integrators/gateway/keys', { name: 'load' }, 'integrator key'),
  ).key;
  // Billing prices usage with what it learned from allocation's events: its directory tables.
  await waitFor(
    async () => {
      const [row] = await db.query<{ units: string; use_cases: string }>(
        `SELECT (SELECT count(*) FROM billing.units)::text AS units,
                (SELECT count(*) FROM billing.use_cases WHERE use_case = $1)::text AS use_cases`,
        [USE_CASE],
      );
      return row?.units === String(units.length + 1) && row.use_cases === '1';
    },
    { timeoutMs: 120_000, intervalMs: 250, description: 'billing to learn the units' },
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
        reason: 'load test',
      },
    ),
    201,
    'price schedule',
  );
  const integrator = httpTarget(system.urls.ingestion, options.posters, {
    authorization: `Bearer ${integratorKey}`,
  });
  // Ingestion learns units from allocation's events too: one usage per unit, resent (same ids)
  // until none is rejected; a resent accepted item is a duplicate, so each counts once.
  const warmup = units.map((unitId, n) => usageItem(`warm-${n}`, unitId));
  await waitFor(
    async () => {
      const answer = json<UsageBatchAnswer>(
        await sendUntilAdmitted(integrator, 'POST', '/v1/usage', warmup),
      );
      return answer.items.every((item) => item.status !== 'rejected');
    },
    { timeoutMs: 120_000, intervalMs: 500, description: 'ingestion to learn every unit' },
  );
  return {
    budgetId,
    units,
    perUnit,
    admin,
    gateway: httpTarget(system.urls.allocation, options.clients, {
      authorization: `Bearer ${serviceKey}`,
    }),
    integrator,
    warmupUsage: warmup.length,
  };
}

/** Energy of every usage item the suite sends, µWh. */
export const USAGE_ENERGY = 1000n;

export function usageItem(id: string, unitId: string) {
  return { id, ...usageData(unitId) };
}

/** A usage item's fields without its id: the `data` of a raw-topic CloudEvent. */
export function usageData(unitId: string) {
  return {
    unitId,
    useCase: USE_CASE,
    model: MODEL,
    region: 'fr',
    requests: '1',
    measuredEnergyMicroWh: USAGE_ENERGY.toString(),
    occurredAt: new Date(Date.now() - 1000).toISOString(),
  };
}

export interface UsageBatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  items: { index: number; status: 'accepted' | 'duplicate' | 'rejected'; id?: string }[];
}

/**
 * `clients` concurrent loops sharing `steps` numbered steps (each loop takes the next number
 * until none is left): a fixed amount of work, however fast the system is.
 */
export async function runSteps(
  clients: number,
  steps: number,
  step: (index: number, client: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = next++; index < steps; index = next++) await step(index, client);
    }),
  );
}

/** Tallies answers by `status code` for the failure messages and the report. */
export class Tally {
  readonly counts: Record<string, number> = {};

  add(outcome: string): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }

  get(outcome: string): number {
    return this.counts[outcome] ?? 0;
  }
}

/** The `code` of an error answer's JSON body, or `(no code)`. */
export function codeOf(answer: HttpAnswer): string {
  try {
    const body = JSON.parse(answer.body) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : '(no code)';
  } catch {
    return '(not JSON)';
  }
}

export type SystemDatabase = Awaited<ReturnType<typeof systemDatabase>>;

/** A connection to the system's database, for counts straight from the ledgers. */
export async function systemDatabase(system: RunningSystem) {
  if (system.databaseUrl === undefined)
    throw new Error('the load suite needs a distributed system');
  const client = new Client({ connectionString: system.databaseUrl });
  await client.connect();
  return {
    /** Events of `schema`'s ledger by type, optionally only those whose data matches `where`. */
    async countByType(schema: string, where = 'true', params: unknown[] = []) {
      const result = await client.query<{ event_type: string; n: string }>(
        `SELECT event_type, count(*)::text AS n FROM "${schema}".events WHERE ${where}
          GROUP BY event_type`,
        params,
      );
      return Object.fromEntries(result.rows.map((row) => [row.event_type, Number(row.n)]));
    },
    query: <Row extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      client.query<Row>(text, params).then((result) => result.rows),
    /**
     * Usage as each ledger holds it: recorded by ingestion (and how many distinct reported ids),
     * rejected, charged by billing (distinct usage ids) and held unpriced.
     */
    async usageTotals(): Promise<UsageTotals> {
      const [row] = (
        await client.query<Record<keyof UsageTotals, string>>(
          `SELECT
             (SELECT count(*) FROM ingestion.events WHERE event_type = 'UsageRecorded')::text
               AS recorded,
             (SELECT count(DISTINCT data->>'reportedId') FROM ingestion.events
               WHERE event_type = 'UsageRecorded')::text AS "recordedIds",
             (SELECT count(*) FROM ingestion.events WHERE event_type = 'UsageRejected')::text
               AS rejected,
             (SELECT count(*) FROM billing.events WHERE event_type = 'UsageCharged')::text
               AS charged,
             (SELECT count(DISTINCT data->>'usageId') FROM billing.events
               WHERE event_type = 'UsageCharged')::text AS "chargedIds",
             (SELECT count(*) FROM billing.events WHERE event_type = 'UsageHeldUnpriced')::text
               AS held`,
        )
      ).rows;
      if (row === undefined) throw new Error('no totals');
      return Object.fromEntries(
        Object.entries(row).map(([name, value]) => [name, Number(value)]),
      ) as unknown as UsageTotals;
    },
    end: () => client.end(),
  };
}

export interface UsageTotals {
  recorded: number;
  recordedIds: number;
  rejected: number;
  charged: number;
  chargedIds: number;
  held: number;
}

/** Resident set (VmRSS) of a live process, MiB; undefined once it is gone. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Samples each service's RSS every `intervalMs` and keeps the peak per named phase, so phases
 * can be compared (a process that keeps growing from one half of a run to the next leaks).
 */
export class RssSampler {
  private phase = 'start';
  readonly peaks: Record<string, Partial<Record<ServiceName, number>>> = {};
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Readonly<Record<ServiceName, number | undefined>>,
    intervalMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Samples once more (the end of the previous phase), then counts into `name`. */
  enter(name: string): void {
    this.sample();
    this.phase = name;
    this.sample();
  }

  peakOf(phase: string, service: ServiceName): number {
    return this.peaks[phase]?.[service] ?? Number.NaN;
  }

  /** The highest sample of each service over every phase. */
  overall(): Record<ServiceName, number> {
    const result = { allocation: 0, ingestion: 0, billing: 0 };
    for (const peaks of Object.values(this.peaks))
      for (const service of SERVICE_NAMES)
        result[service] = Math.max(result[service], peaks[service] ?? 0);
    return result;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  private sample(): void {
    const peaks = (this.peaks[this.phase] ??= {});
    for (const service of SERVICE_NAMES) {
      const rss = rssMiB(this.pids[service]);
      if (rss !== undefined) peaks[service] = Math.max(peaks[service] ?? 0, rss);
    }
  }
}
