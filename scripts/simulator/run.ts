// The simulator's I/O: it sets up its own perimeter over the public APIs, then plays each phase
// as a well-integrated gateway would (reserve in allocation, run the request only when granted,
// report the usage to ingestion naming the reservation), waits for allocation and billing to
// have taken all the usage, and reads the ceiling, the balances and billing's rebound report.
import { randomBytes } from 'node:crypto';
import { ApiClient, errorBody, pollUntil } from '../demo/http';
import {
  CLASSES,
  DEPARTMENTS,
  ceilingFor,
  chooseWindows,
  phaseLoads,
  planPhase,
  prng,
  type PhaseWindow,
  type PlannedRequest,
  type SimulatorOptions,
  type UsefulnessClass,
} from './plan';

/** How long to wait for usage to reach allocation (commit) and billing (charge). */
const PROPAGATION_TIMEOUT_MS = 90_000;
const RESERVATION_TIMEOUT_MS = 600_000;
const USAGE_BATCH = 500;
/** Usage rejected only because ingestion has not learned the unit or use case yet: retried. */
const NOT_YET_KNOWN = new Set(['INGEST.UNKNOWN_UNIT', 'INGEST.UNKNOWN_USE_CASE']);

export interface ClassCounts {
  attempted: number;
  served: number;
  refused: number;
}

export interface PhaseReport {
  readonly phase: number;
  readonly window: string;
  readonly energyPerRequestMicroWh: string;
  readonly servedEnergyMicroWh: string;
  readonly byClass: Record<UsefulnessClass, ClassCounts>;
  /** Refusal codes (QUOTA.EXCEEDED, USECASE.SHED_ABOVE_UTILISATION, …) and their counts. */
  readonly refusedByCode: Record<string, number>;
}

export interface DepartmentReport {
  readonly unitId: string;
  readonly name: string;
  readonly allocatedMicroWh: string;
  readonly committedMicroWh: string;
  readonly attempted: number;
  readonly served: number;
  readonly refused: number;
}

export interface ReboundReportRow {
  readonly unitId: string;
  readonly name: string | null;
  readonly scope: string;
  readonly current: {
    requests: string;
    energyMicroWh: string;
    energyPerRequestMicroWh: string | null;
  };
  readonly previous: {
    requests: string;
    energyMicroWh: string;
    energyPerRequestMicroWh: string | null;
  };
  readonly energyPerRequestChangePercent: string | null;
  readonly totalEnergyChangePercent: string | null;
  readonly rebound: boolean;
}

export interface SimulationReport {
  readonly runId: string;
  readonly perimeterId: string;
  readonly budgetId: string;
  readonly granularity: 'hour' | 'minute';
  readonly ceilingMicroWh: string;
  /** Committed in allocation once every usage is settled. */
  readonly consumedMicroWh: string;
  readonly overrunMicroWh: string;
  readonly ceilingHeld: boolean;
  readonly phases: readonly PhaseReport[];
  readonly departments: readonly DepartmentReport[];
  /** Classes in the order their first refusal happened. */
  readonly refusalOrder: readonly UsefulnessClass[];
  readonly billing: {
    readonly recordedEnergyMicroWh: string;
    /** Usage waiting for a price schedule (none published for the currency). */
    readonly heldUnpriced: number;
  };
  readonly rebound: {
    readonly period: string;
    readonly previousPeriod: string;
    readonly flagged: readonly string[];
    readonly rows: readonly ReboundReportRow[];
  };
}

export class SimulationWaitError extends Error {}

interface Balances {
  totals: { allocated: string; reserved: string; committed: string; overrun: string };
  units: Array<{ unitId: string; allocated: string; committed: string }>;
}

const emptyCounts = (): Record<UsefulnessClass, ClassCounts> =>
  Object.fromEntries(
    CLASSES.map((name) => [name, { attempted: 0, served: 0, refused: 0 }]),
  ) as Record<UsefulnessClass, ClassCounts>;

export async function runSimulation(
  options: SimulatorOptions,
  log: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<SimulationReport> {
  const choice = chooseWindows(now(), options.phases);
  if ('wait' in choice) throw new SimulationWaitError(choice.message);
  const { granularity, windows } = choice;
  const allocation = new ApiClient(options.urls.allocation, options.adminKey);
  const ingestion = new ApiClient(options.urls.ingestion, options.adminKey);
  const billing = new ApiClient(options.urls.billing, options.adminKey);

  const runId = `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const loads = phaseLoads(options.phases, options.requests);
  const ceiling = ceilingFor(loads);
  const month = (windows[0] as PhaseWindow).key.slice(0, 7);
  const budgetId = `${runId}-energy`;
  const unitOf = (key: string) => `${runId}-${key}`;
  const useCaseOf = (className: UsefulnessClass) => `${runId}-${className}`;

  // ------------------------------------------------------------------ set-up (own perimeter)
  log(
    `run ${runId}: ${options.phases} phases in ${granularity} windows ${windows[0]?.key} … ${windows.at(-1)?.key}`,
  );
  await allocation.call('create perimeter', 'POST', '/v1/units', {
    unitId: runId,
    parentId: null,
    name: `Simulation ${runId}`,
  });
  for (const department of DEPARTMENTS) {
    await allocation.call(`create unit ${department.key}`, 'POST', '/v1/units', {
      unitId: unitOf(department.key),
      parentId: runId,
      name: department.name,
      attributes: {
        effectiveFrom: `${month}-01`,
        values: { headcount: String(department.headcount) },
      },
    });
  }
  for (const className of CLASSES) {
    await allocation.call(`create use case ${className}`, 'POST', '/v1/use-cases', {
      useCase: useCaseOf(className),
      className,
      description: `Simulated ${className} requests`,
    });
  }
  await allocation.call('open budget', 'POST', '/v1/budgets', {
    budgetId,
    perimeterUnitId: runId,
    dimension: 'energy',
    period: { kind: 'month', month },
    ceiling: ceiling.toString(),
    reason: 'traffic simulator',
  });
  await allocation.call('allocate budget', 'POST', `/v1/budgets/${budgetId}/allocations`, {
    allocationId: 'sim-round-1',
    policies: {
      [runId]: {
        rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
      },
    },
    reason: 'traffic simulator: by headcount',
  });
  await ingestion.call('register integrator', 'POST', '/v1/integrators', {
    integratorId: `${runId}-gw`,
    name: `Simulated gateway ${runId}`,
    source: `urn:plafond:simulator:${runId}`,
    unitIds: DEPARTMENTS.map((department) => unitOf(department.key)),
  });
  const { key } = await ingestion.call<{ key: string }>(
    'create integrator key',
    'POST',
    `/v1/integrators/${runId}-gw/keys`,
    { name: 'simulator' },
  );
  const gateway = new ApiClient(options.urls.ingestion, key);
  // Billing (and ingestion, from the same events) learn the units from allocation.
  for (const department of DEPARTMENTS) {
    await pollUntil(
      `billing to learn unit ${unitOf(department.key)}`,
      async () =>
        (await billing.send('GET', `/v1/billing-profiles/${unitOf(department.key)}`)).status === 200
          ? true
          : undefined,
      PROPAGATION_TIMEOUT_MS,
    );
  }
  log(`budget ${budgetId}: ceiling ${ceiling} µWh, split by headcount 40/40/20`);

  // ------------------------------------------------------------------------------- phases
  const random = prng(options.seed);
  const phases: PhaseReport[] = [];
  const perDepartment = new Map(
    DEPARTMENTS.map((department) => [department.key, { attempted: 0, served: 0, refused: 0 }]),
  );
  const refusalOrder: UsefulnessClass[] = [];
  let servedTotal = 0n;
  let servedCount = 0;
  for (const load of loads) {
    const window = windows[load.phase] as PhaseWindow;
    const byClass = emptyCounts();
    const refusedByCode: Record<string, number> = {};
    const served: Array<PlannedRequest & { reservationId: string }> = [];
    for (const request of planPhase(load, window, random)) {
      const reservationId = `${runId}-p${load.phase}-${request.department.key}-${request.index}`;
      const counts = byClass[request.className];
      const department = perDepartment.get(request.department.key) as ClassCounts;
      counts.attempted += 1;
      department.attempted += 1;
      const refusal = await reserve(allocation, {
        reservationId,
        budgetId,
        unitId: unitOf(request.department.key),
        useCase: useCaseOf(request.className),
        amount: load.energyPerRequestMicroWh.toString(),
        timeoutMs: RESERVATION_TIMEOUT_MS,
      });
      if (refusal === undefined) {
        counts.served += 1;
        department.served += 1;
        served.push({ ...request, reservationId });
      } else {
        counts.refused += 1;
        department.refused += 1;
        refusedByCode[refusal] = (refusedByCode[refusal] ?? 0) + 1;
        if (!refusalOrder.includes(request.className)) refusalOrder.push(request.className);
      }
    }
    // The requests ran; the gateway reports what they used, naming the reservations.
    const items = served.map((request) => ({
      id: request.reservationId,
      unitId: unitOf(request.department.key),
      useCase: useCaseOf(request.className),
      model: 'meta-llama-3.1-8b-instruct',
      region: 'fr',
      measuredEnergyMicroWh: load.energyPerRequestMicroWh.toString(),
      reservationId: request.reservationId,
      occurredAt: request.occurredAt.toISOString(),
    }));
    for (let start = 0; start < items.length; start += USAGE_BATCH) {
      await reportUsage(gateway, items.slice(start, start + USAGE_BATCH));
    }
    const phaseEnergy = load.energyPerRequestMicroWh * BigInt(served.length);
    servedTotal += phaseEnergy;
    servedCount += served.length;
    phases.push({
      phase: load.phase + 1,
      window: window.key,
      energyPerRequestMicroWh: load.energyPerRequestMicroWh.toString(),
      servedEnergyMicroWh: phaseEnergy.toString(),
      byClass,
      refusedByCode,
    });
    const refused = Object.values(byClass).reduce((sum, c) => sum + c.refused, 0);
    log(
      `phase ${load.phase + 1} (${window.key}): ${served.length} served, ${refused} refused, ` +
        `${load.energyPerRequestMicroWh} µWh per request`,
    );
  }

  // ------------------------------------------------------------- settle, then read reports
  const balances = await pollUntil(
    `allocation to commit the ${servedCount} usages (${servedTotal} µWh)`,
    async () => {
      const answer = await allocation.call<Balances>(
        'read balances',
        'GET',
        `/v1/budgets/${budgetId}/balances`,
      );
      return answer.totals.reserved === '0' && answer.totals.committed === servedTotal.toString()
        ? answer
        : undefined;
    },
    PROPAGATION_TIMEOUT_MS,
  );
  const reconciliation = await pollUntil(
    `billing to record the ${servedCount} usages`,
    async () => {
      const answer = await billing.call<{
        units: Array<{ recordedEnergyMicroWh: string; heldUnpriced: number }>;
      }>('read reconciliation', 'GET', `/v1/reconciliation?period=${month}&unitId=${runId}`);
      const recorded = answer.units.reduce(
        (sum, unit) => sum + BigInt(unit.recordedEnergyMicroWh),
        0n,
      );
      return recorded === servedTotal ? answer : undefined;
    },
    PROPAGATION_TIMEOUT_MS,
  );
  const last = windows.at(-1) as PhaseWindow;
  const rebound = await billing.call<SimulationReport['rebound']>(
    'read rebound report',
    'GET',
    `/v1/reports/rebound?period=${encodeURIComponent(last.key)}&unitId=${runId}`,
  );

  const committed = BigInt(balances.totals.committed);
  const overrun = BigInt(balances.totals.overrun);
  return {
    runId,
    perimeterId: runId,
    budgetId,
    granularity,
    ceilingMicroWh: ceiling.toString(),
    consumedMicroWh: committed.toString(),
    overrunMicroWh: overrun.toString(),
    ceilingHeld: committed <= ceiling && overrun === 0n,
    phases,
    departments: DEPARTMENTS.map((department) => {
      const unitId = unitOf(department.key);
      const balance = balances.units.find((unit) => unit.unitId === unitId);
      const counts = perDepartment.get(department.key) as ClassCounts;
      return {
        unitId,
        name: department.name,
        allocatedMicroWh: balance?.allocated ?? '0',
        committedMicroWh: balance?.committed ?? '0',
        ...counts,
      };
    }),
    refusalOrder,
    billing: {
      recordedEnergyMicroWh: servedTotal.toString(),
      heldUnpriced: reconciliation.units.reduce((sum, unit) => sum + unit.heldUnpriced, 0),
    },
    rebound: {
      period: rebound.period,
      previousPeriod: rebound.previousPeriod,
      flagged: rebound.flagged,
      rows: rebound.rows,
    },
  };
}

/** Reserves; undefined when granted, the refusal code when refused (422). Retries 503s. */
async function reserve(
  allocation: ApiClient,
  body: Record<string, unknown>,
): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await allocation.send('POST', '/v1/reservations', body);
    if (answer.status === 201 || answer.status === 200) return undefined;
    const { code, message } = errorBody(answer.body);
    if (answer.status === 422 && code !== undefined) return code;
    if ((answer.status === 503 || code === 'LEDGER.CONCURRENCY') && attempt < 10) {
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      continue;
    }
    throw new Error(
      `reserve ${String(body.reservationId)}: HTTP ${answer.status} ${code ?? ''}${message === undefined ? '' : `: ${message}`}`,
    );
  }
}

interface UsageAnswer {
  items: Array<{
    index: number;
    status: string;
    id?: string;
    error?: { code: string; message: string };
  }>;
}

/**
 * Posts usage; retries (a while) items ingestion does not know the unit or use case of yet.
 * Returns how many were accepted and how many were duplicates (also used by the demo seed).
 */
export async function reportUsage(
  gateway: ApiClient,
  items: readonly Record<string, unknown>[],
): Promise<{ accepted: number; duplicates: number }> {
  const deadline = Date.now() + PROPAGATION_TIMEOUT_MS;
  const counts = { accepted: 0, duplicates: 0 };
  let pending = [...items];
  for (;;) {
    const answer = await gateway.call<UsageAnswer>('report usage', 'POST', '/v1/usage', pending);
    const retry: Record<string, unknown>[] = [];
    for (const item of answer.items) {
      if (item.status === 'accepted') counts.accepted += 1;
      if (item.status === 'duplicate') counts.duplicates += 1;
      if (item.status === 'accepted' || item.status === 'duplicate') continue;
      const code = item.error?.code ?? 'unknown';
      const reason = `${code}: ${item.error?.message ?? ''}`;
      if (!NOT_YET_KNOWN.has(code) || Date.now() >= deadline) {
        throw new Error(`report usage: item ${item.id ?? item.index} rejected: ${reason}`);
      }
      retry.push(pending[item.index] as Record<string, unknown>);
    }
    if (retry.length === 0) return counts;
    pending = retry;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
