// A known stream of reservations and usage for the fault suites, and the ground truth it leaves.
//
// Set-up (over HTTP, as an admin would): one perimeter and N units with a static allocation each,
// one use case, an EUR price schedule, an integrator and its key. Then `drive` sends items: each
// reserves on a unit (allocation, POST /v1/reservations) and reports the usage naming that
// reservation (ingestion, HTTP /v1/usage, or every k-th item the raw Kafka topic). Every request
// carries a client-chosen id (reservationId, usage id), and a network error, a 5xx or a 429 is
// retried with the same id until a definitive answer arrives (bounded): a request lost to a crash
// is then neither lost nor doubled — a retried reservation answers as the first did, a retried
// usage is `duplicate`. So the truth is exact whatever dies mid-stream, and the stream simply
// waits while a service is down.
//
// Units stay within their allocations by construction: each usage is exactly its reservation,
// and allocations are far above what any run sends, so "no unit over its allocation" is strict.
//
// Amounts: usage is measured energy in region `fr` (81.3 gCO2e/kWh), k × 0.1 kWh with k in 1..5;
// at 100 EUR/t and 0.25 EUR/kWh, class `standard` ×1, one 0.1 kWh is charged
//   8 130 000 µg / 10 000 + 100 000 000 µWh / 4 000 = 813 + 25 000 = 25 813 µEUR,
// exactly (no rounding), so an item of k × 0.1 kWh is charged k × 25 813 µEUR.
import { api, type Answer } from '../system/http';
import type { FaultSystem } from './fault-system';

type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
export const PERIMETER = 'fault-org';
export const BUDGET = 'fault-energy';
export const USE_CASE = 'fault-work';
export const SOURCE = 'urn:plafond:fault-gateway';
const MODEL = 'meta-llama/meta-llama-3.1-70b-instruct';
/** 0.1 kWh in µWh, and what billing charges for it (see above). */
export const ENERGY_STEP_MICRO_WH = 100_000_000n;
export const CHARGE_PER_STEP_MICRO = 25_813n;
/** Far above any run: 1 000 kWh per unit. */
const UNIT_ALLOCATION_MICRO_WH = 1_000_000_000_000n;
/** Long enough for any fault of a run; the usage commits the reservation long before. */
const RESERVATION_TIMEOUT_MS = 3_600_000;
/** How long one request may keep being retried (a service restarting, a broker coming back). */
const DEFINITIVE_BOUND_MS = 180_000;
const RETRY_PAUSE_MS = 200;

const monthOf = (date: Date) => date.toISOString().slice(0, 7);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface UsageTruth {
  readonly id: string;
  readonly unitId: string;
  readonly reservationId: string;
  readonly energyMicroWh: bigint;
  readonly chargeMicro: bigint;
  /** The billing month (UTC) of `occurredAt`. */
  readonly month: string;
  readonly overKafka: boolean;
}

/** What the test knows the system must hold once it has settled. */
export class GroundTruth {
  /** Reservations granted (201), by id. */
  readonly reservations = new Map<string, { unitId: string; amount: bigint }>();
  /** Usage accepted (or a duplicate of ours) over HTTP, or sent to the raw topic, by id. */
  readonly usage = new Map<string, UsageTruth>();

  constructor(readonly units: readonly string[]) {}

  /** Energy debited per unit: every usage, each committing its reservation. */
  energyByUnit(): Map<string, bigint> {
    const energy = new Map(this.units.map((unit) => [unit, 0n]));
    for (const usage of this.usage.values())
      energy.set(usage.unitId, (energy.get(usage.unitId) ?? 0n) + usage.energyMicroWh);
    return energy;
  }

  /** Charge lines and amounts per unit, per billing month. */
  chargesByMonth(): Map<string, Map<string, { lines: number; amountMicro: bigint }>> {
    const months = new Map<string, Map<string, { lines: number; amountMicro: bigint }>>();
    for (const usage of this.usage.values()) {
      const byUnit =
        months.get(usage.month) ??
        new Map(this.units.map((unit) => [unit, { lines: 0, amountMicro: 0n }]));
      months.set(usage.month, byUnit);
      const current = byUnit.get(usage.unitId) ?? { lines: 0, amountMicro: 0n };
      byUnit.set(usage.unitId, {
        lines: current.lines + 1,
        amountMicro: current.amountMicro + usage.chargeMicro,
      });
    }
    return months;
  }
}

export interface DriveOptions {
  readonly count: number;
  readonly concurrency: number;
  /** Every `rawEvery`-th item's usage goes to the raw Kafka topic instead of HTTP; 0: none. */
  readonly rawEvery?: number;
  /**
   * Allocation instances the reservations go to, in turn (default `[0]`); a retry moves to the
   * next one, so stopping an instance mid-stream only costs a retry.
   */
  readonly allocationInstances?: readonly number[];
}

export interface DriveReport {
  readonly items: number;
  /** Requests sent again after a network error, a 5xx or a 429 (a crash shows up here). */
  readonly retries: number;
  /** Usage answered `duplicate`: a retry of a request whose first attempt was recorded. */
  readonly duplicates: number;
}

/** Bounded retries with the same request until an answer that is not a failure of the moment. */
async function definitive(
  what: string,
  call: () => Promise<Answer>,
  isTransient: (answer: Answer) => boolean,
  onRetry: () => void,
): Promise<Answer> {
  const deadline = Date.now() + DEFINITIVE_BOUND_MS;
  let last = 'no attempt';
  for (;;) {
    try {
      const answer = await call();
      if (answer.status < 500 && answer.status !== 429 && !isTransient(answer)) return answer;
      last = `${answer.status} ${answer.text.slice(0, 300)}`;
    } catch (error) {
      // Connection refused or reset, or our timeout: the service is down or dying.
      last = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: no definitive answer within ${DEFINITIVE_BOUND_MS} ms (${last})`);
    onRetry();
    await pause(RETRY_PAUSE_MS);
  }
}

interface UsageAnswer {
  items: { id?: string; status: string; error?: { code: string } }[];
}
/** Ingestion has not learned the unit or use case from allocation yet: nothing recorded, retry. */
const LEARNING = new Set(['INGEST.UNKNOWN_UNIT', 'INGEST.UNKNOWN_USE_CASE', 'INGEST.BUSY']);

export class Workload {
  readonly truth: GroundTruth;
  private next = 0;

  private constructor(
    private readonly system: FaultSystem,
    private readonly integratorKey: string,
    readonly units: readonly string[],
  ) {
    this.truth = new GroundTruth(units);
  }

  /** The organisation, budget, price and integrator; then one item per unit over HTTP. */
  static async setUp(system: FaultSystem, unitCount = 8): Promise<Workload> {
    const admin = api(system.urls.allocation, system.adminKey);
    const units = Array.from({ length: unitCount }, (_, index) => `fault-u${index}`);
    const created: Answer[] = [
      await admin.post('/v1/use-cases', {
        useCase: USE_CASE,
        className: 'standard',
        description: 'Fault suite work',
      }),
      await admin.post('/v1/units', { unitId: PERIMETER, parentId: null, name: 'Fault org' }),
    ];
    for (const unitId of units)
      created.push(await admin.post('/v1/units', { unitId, parentId: PERIMETER, name: unitId }));
    const now = Date.now();
    created.push(
      await admin.post('/v1/budgets', {
        budgetId: BUDGET,
        perimeterUnitId: PERIMETER,
        dimension: 'energy',
        period: {
          kind: 'range',
          startsOn: new Date(now - DAY_MS).toISOString().slice(0, 10),
          endsOn: new Date(now + DAY_MS).toISOString().slice(0, 10),
        },
        timeZone: 'UTC',
        mode: 'hard',
        ceiling: (UNIT_ALLOCATION_MICRO_WH * BigInt(unitCount)).toString(),
        reason: 'fault suite',
      }),
      await admin.post(`/v1/budgets/${BUDGET}/allocations`, {
        allocationId: 'fault-round-1',
        policies: {
          [PERIMETER]: {
            rule: {
              kind: 'static',
              members: units.map((childId) => ({
                childId,
                amount: UNIT_ALLOCATION_MICRO_WH.toString(),
              })),
            },
          },
        },
        reason: 'fault suite',
      }),
    );
    const ingestion = api(system.urls.ingestion, system.adminKey);
    created.push(
      await ingestion.post('/v1/integrators', {
        integratorId: 'fault-gateway',
        name: 'Fault gateway',
        source: SOURCE,
        unitIds: null,
      }),
    );
    const key = await ingestion.post<{ key: string }>('/v1/integrators/fault-gateway/keys', {
      name: 'fault suite',
    });
    created.push(key);
    const startOfPreviousMonth = new Date(
      Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - 1, 1),
    );
    created.push(
      await api(system.urls.billing, system.adminKey).post('/v1/price-schedules', {
        currency: 'EUR',
        effectiveFrom: startOfPreviousMonth.toISOString(),
        carbonPricePerTonne: '100.00',
        energyPricePerKwh: '0.25',
        classMultipliers: { standard: '1' },
        defaultMultiplier: '1',
        overrunTiers: [{ fromPercentOfAllocation: '0', surchargePercent: '50' }],
        reason: 'fault suite',
      }),
    );
    const refused = created.filter((answer) => answer.status !== 201);
    if (refused.length > 0)
      throw new Error(
        `fault workload set-up refused: ${refused.map((a) => `${a.status} ${a.text}`).join('\n')}`,
      );
    const workload = new Workload(system, key.body.key, units);
    // One item per unit over HTTP: ingestion has learned every unit before any goes over Kafka
    // (where a not-yet-known unit would be rejected to the rejected topic, not answered).
    await workload.drive({ count: unitCount, concurrency: 1 });
    return workload;
  }

  /** Sends `count` more items, `concurrency` at a time; resolves when each has its answers. */
  async drive(options: DriveOptions): Promise<DriveReport> {
    const first = this.next;
    this.next += options.count;
    const counters = { retries: 0, duplicates: 0 };
    let cursor = first;
    const worker = async () => {
      while (cursor < first + options.count) {
        const index = cursor++;
        const overKafka = (options.rawEvery ?? 0) > 0 && index % (options.rawEvery ?? 1) === 0;
        await this.item(index, overKafka, options.allocationInstances ?? [0], counters);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    return { items: options.count, ...counters };
  }

  private async item(
    index: number,
    overKafka: boolean,
    allocationInstances: readonly number[],
    counters: { retries: number; duplicates: number },
  ): Promise<void> {
    const unitId = this.units[index % this.units.length] ?? PERIMETER;
    const energy = BigInt(1 + (index % 5)) * ENERGY_STEP_MICRO_WH;
    const reservationId = `fault-res-${index}`;
    const usageId = `fault-use-${index}`;
    const onRetry = () => counters.retries++;
    // An instance keeps its port across restarts; a retry moves on to the next instance.
    let attempt = index;
    const reserved = await definitive(
      `reservation ${reservationId}`,
      () =>
        api(
          this.system.url(
            'allocation',
            allocationInstances[attempt++ % allocationInstances.length] ?? 0,
          ),
          this.system.adminKey,
        ).post('/v1/reservations', {
          reservationId,
          unitId,
          useCase: USE_CASE,
          amount: energy.toString(),
          timeoutMs: RESERVATION_TIMEOUT_MS,
        }),
      (answer) => (answer.body as Json | undefined)?.code === 'RESERVATION.BUSY',
      onRetry,
    );
    if (reserved.status !== 201)
      throw new Error(`reservation ${reservationId}: ${reserved.status} ${reserved.text}`);
    this.truth.reservations.set(reservationId, { unitId, amount: energy });

    // Fixed once: a retry sends the very same usage.
    const occurredAt = new Date(Date.now() - 1000);
    const data = {
      unitId,
      useCase: USE_CASE,
      model: MODEL,
      region: 'fr',
      requests: '1',
      measuredEnergyMicroWh: energy.toString(),
      occurredAt: occurredAt.toISOString(),
      reservationId,
    };
    if (overKafka) {
      const deadline = Date.now() + DEFINITIVE_BOUND_MS;
      for (;;) {
        try {
          await this.system.sendRawUsage([{ id: usageId, source: SOURCE, data }]);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          onRetry();
          await pause(RETRY_PAUSE_MS);
        }
      }
    } else {
      const answer = await definitive(
        `usage ${usageId}`,
        () =>
          api(this.system.urls.ingestion, this.integratorKey).post<UsageAnswer>('/v1/usage', [
            { id: usageId, ...data },
          ]),
        (candidate) => {
          const code = (candidate.body as UsageAnswer | undefined)?.items?.[0]?.error?.code;
          return code !== undefined && LEARNING.has(code);
        },
        onRetry,
      );
      const status = (answer.body as UsageAnswer | undefined)?.items?.[0]?.status;
      if (answer.status !== 200 || (status !== 'accepted' && status !== 'duplicate'))
        throw new Error(`usage ${usageId}: ${answer.status} ${answer.text}`);
      if (status === 'duplicate') counters.duplicates++;
    }
    this.truth.usage.set(usageId, {
      id: usageId,
      unitId,
      reservationId,
      energyMicroWh: energy,
      chargeMicro: (energy / ENERGY_STEP_MICRO_WH) * CHARGE_PER_STEP_MICRO,
      month: monthOf(occurredAt),
      overKafka,
    });
  }
}
