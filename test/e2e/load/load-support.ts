// What the load suite needs around a running distributed system: a perimeter of units set up over
// HTTP (test/e2e/system/perimeter.ts, the system bench's setup too), closed-loop clients that run
// a FIXED number of steps (counts, never durations: speed belongs in bench/), the system's
// database for ledger counts, and an RSS sampler of the service processes.
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import type { HttpAnswer } from '../../../bench/support/http-load';
import { SERVICE_NAMES, type ServiceName } from '../processes';
import type { RunningSystem } from '../system/harness';
import {
  perimeterNames,
  setUpPerimeter as setUpNamedPerimeter,
  usageFields,
  type Perimeter,
} from '../system/perimeter';

export {
  expectStatus,
  isOverloaded,
  json,
  sendUntilAdmitted,
  USAGE_ENERGY,
  type Perimeter,
} from '../system/perimeter';

export const { useCase: USE_CASE, source: SOURCE } = perimeterNames('load');

/**
 * The suite's perimeter `load`: `units` children of equal headcount, each allocated `perUnit`;
 * every unit gets a warm-up usage (`warmupUsage` in all, counted in the usage totals).
 */
export function setUpPerimeter(
  system: RunningSystem,
  db: SystemDatabase,
  options: { units: readonly string[]; perUnit: bigint; clients: number; posters: number },
): Promise<Perimeter> {
  return setUpNamedPerimeter(system, db, { name: 'load', ...options });
}

export function usageItem(id: string, unitId: string) {
  return { id, ...usageData(unitId) };
}

/** A usage item's fields without its id: the `data` of a raw-topic CloudEvent. */
export function usageData(unitId: string) {
  return usageFields(USE_CASE, unitId, new Date(Date.now() - 1000).toISOString());
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
