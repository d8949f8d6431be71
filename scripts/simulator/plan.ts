// The simulator's pure part: options, the time windows the phases are played in, and the
// workload (requests and energy per phase and department). No I/O here, so all of it is unit
// tested (test/scripts/simulator.spec.ts).
import { join } from 'node:path';

export interface SimulatorOptions {
  readonly urls: {
    readonly allocation: string;
    readonly ingestion: string;
    readonly billing: string;
  };
  readonly adminKey: string;
  readonly phases: number;
  /** Requests per department of demand 1 in the first phase. */
  readonly requests: number;
  readonly seed: number;
  readonly json: boolean;
}

export const DEFAULT_URLS = {
  allocation: 'http://127.0.0.1:3001',
  ingestion: 'http://127.0.0.1:3002',
  billing: 'http://127.0.0.1:3003',
} as const;

/** Where `npm start` keeps a generated admin key (embedded host first, then the supervisor). */
export const ADMIN_KEY_FILES = ['.plafond/admin-api-key', '.run/admin-api-key'] as const;

/**
 * The key files to try: the embedded host's is `<PLAFOND_DATA_DIR>/admin-api-key`, so a simulator
 * run with the environment `npm start` had finds it wherever the data directory was moved.
 */
function adminKeyFiles(env: Readonly<Record<string, string | undefined>>): string[] {
  const dataDir = env.PLAFOND_DATA_DIR;
  if (dataDir === undefined || dataDir.length === 0) return [...ADMIN_KEY_FILES];
  return [join(dataDir, 'admin-api-key'), ...ADMIN_KEY_FILES.slice(1)];
}

/** The port variables `npm start` reads, so the same environment points the simulator at it. */
const PORT_VARIABLES = {
  allocation: 'ALLOCATION_PORT',
  ingestion: 'INGESTION_PORT',
  billing: 'BILLING_PORT',
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run simulate -- [options]

Plays the rebound effect against a running Plafond (embedded or distributed) with an admin key.

  --allocation <url>   allocation API (ALLOCATION_URL, default ${DEFAULT_URLS.allocation})
  --ingestion <url>    ingestion API (INGESTION_URL, default ${DEFAULT_URLS.ingestion})
  --billing <url>      billing API (BILLING_URL, default ${DEFAULT_URLS.billing})
  --admin-key <key>    admin key of the three services (ADMIN_API_KEY, else the file
                       ${ADMIN_KEY_FILES.join(' or ')}; PLAFOND_DATA_DIR moves the first)
  --phases <n>         phases to play, 2–12 (default 4)
  --requests <n>       requests per department in the first phase, 1–200 (default 8)
  --seed <n>           seed of the pseudo-random order and timing (default 1)
  --json               print the report as JSON
  --help               this text

Without a URL, ALLOCATION_PORT, INGESTION_PORT and BILLING_PORT (as given to npm start) replace
the default ports.

Exit code 0 when total consumption held at or under the ceiling, 1 otherwise or on an error.`;

function defaultUrl(
  name: keyof typeof DEFAULT_URLS,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const variable = PORT_VARIABLES[name];
  const port = env[variable];
  if (port === undefined || port.length === 0) return DEFAULT_URLS[name];
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new UsageError(`${variable} must be an integer from 1 to 65535 (got "${port}")`);
  }
  return DEFAULT_URLS[name].replace(/:\d+$/, `:${port}`);
}

function integerOption(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function urlOption(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} must be an http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--${name} must be an http(s) URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Command line and environment to options. `readKeyFile` reads one of ADMIN_KEY_FILES (undefined
 * when absent). Returns 'help' for --help; throws UsageError with what is wrong.
 */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readKeyFile: (path: string) => string | undefined,
): SimulatorOptions | 'help' {
  const values = new Map<string, string>();
  let json = false;
  const withValue = [
    'allocation',
    'ingestion',
    'billing',
    'admin-key',
    'phases',
    'requests',
    'seed',
  ];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') return 'help';
    if (argument === '--json') {
      json = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
    const name = match?.[1];
    if (match === null || name === undefined || !withValue.includes(name)) {
      throw new UsageError(`unknown argument "${argument}" (see --help)`);
    }
    const value = match[2] ?? argv[index + 1];
    if (match[2] === undefined) index += 1;
    if (value === undefined || value.length === 0) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  const adminKey =
    values.get('admin-key') ??
    (env.ADMIN_API_KEY !== undefined && env.ADMIN_API_KEY.length > 0
      ? env.ADMIN_API_KEY
      : undefined) ??
    adminKeyFiles(env)
      .map((file) => readKeyFile(file)?.trim())
      .find((key): key is string => key !== undefined && key.length > 0);
  if (adminKey === undefined) {
    throw new UsageError(
      `no admin key: pass --admin-key, set ADMIN_API_KEY, or run from the directory where npm start ` +
        `wrote ${adminKeyFiles(env).join(' or ')}`,
    );
  }
  const url = (name: 'allocation' | 'ingestion' | 'billing', variable: string) =>
    urlOption(name, values.get(name) ?? env[variable] ?? defaultUrl(name, env));
  return {
    urls: {
      allocation: url('allocation', 'ALLOCATION_URL'),
      ingestion: url('ingestion', 'INGESTION_URL'),
      billing: url('billing', 'BILLING_URL'),
    },
    adminKey,
    phases: integerOption('phases', values.get('phases') ?? '4', 2, 12),
    requests: integerOption('requests', values.get('requests') ?? '8', 1, 200),
    seed: integerOption('seed', values.get('seed') ?? '1', 0, 2 ** 32 - 1),
    json,
  };
}

// ------------------------------------------------------------------------------------ windows

export interface PhaseWindow {
  /** The report window key billing reads (`2026-11-29T10` or `2026-11-29T10:05`). */
  readonly key: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

export type WindowChoice =
  | { readonly granularity: 'hour' | 'minute'; readonly windows: readonly PhaseWindow[] }
  | { readonly wait: true; readonly minutes: number; readonly message: string };

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function windowKey(start: Date, granularity: 'hour' | 'minute'): string {
  const hour =
    `${pad(start.getUTCFullYear(), 4)}-${pad(start.getUTCMonth() + 1)}-` +
    `${pad(start.getUTCDate())}T${pad(start.getUTCHours())}`;
  return granularity === 'hour' ? hour : `${hour}:${pad(start.getUTCMinutes())}`;
}

/**
 * The phases are played back in time, in the last `phases` complete windows of the current UTC
 * day (so inside the current month, the period of the budget and of billing): hours when that
 * many hours of today have passed, else minutes, else the caller has to wait. Ingestion refuses
 * usage from the future, and usage too old for its lateness limit, so the past day is the place.
 */
export function chooseWindows(now: Date, phases: number): WindowChoice {
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const hours = now.getUTCHours();
  const minutes = hours * 60 + now.getUTCMinutes();
  let granularity: 'hour' | 'minute';
  let lengthMs: number;
  let complete: number;
  if (hours >= phases) {
    granularity = 'hour';
    lengthMs = 3_600_000;
    complete = hours;
  } else if (minutes >= phases) {
    granularity = 'minute';
    lengthMs = 60_000;
    complete = minutes;
  } else {
    const wait = phases - minutes;
    return {
      wait: true,
      minutes: wait,
      message:
        `only ${minutes} complete minute(s) of today (UTC) have passed; the ${phases} phases are ` +
        `played in past windows of the current day: wait ${wait} minute(s) and run it again`,
    };
  }
  const windows: PhaseWindow[] = [];
  for (let phase = 0; phase < phases; phase += 1) {
    const startsAt = new Date(dayStart + (complete - phases + phase) * lengthMs);
    windows.push({
      key: windowKey(startsAt, granularity),
      startsAt,
      endsAt: new Date(startsAt.getTime() + lengthMs),
    });
  }
  return { granularity, windows };
}

// ----------------------------------------------------------------------------------- workload

export const CLASSES = ['essential', 'standard', 'discretionary'] as const;
export type UsefulnessClass = (typeof CLASSES)[number];

export interface Department {
  /** Suffix of the unit id and of the use cases. */
  readonly key: string;
  readonly name: string;
  /** Weight of the allocation (headcount). */
  readonly headcount: number;
  /** Demand multiplier: this department asks for this many times the base requests. */
  readonly demand: number;
}

/**
 * Two departments whose demand fits their share (their efficiency gain is eaten by volume: the
 * rebound report flags them) and one asking for twice as much from half the share: it reaches
 * its ceiling, its discretionary uses are shed first, then everything is refused.
 */
export const DEPARTMENTS: readonly Department[] = [
  { key: 'search', name: 'Search', headcount: 40, demand: 1 },
  { key: 'support', name: 'Support', headcount: 40, demand: 1 },
  { key: 'labs', name: 'Labs', headcount: 20, demand: 2 },
];

/** Energy of one request in the first phase: 2 Wh, in µWh. */
export const BASE_ENERGY_MICRO_WH = 2_000_000n;
/** Per phase, energy per request × 4/5 (efficiency) while requests × 3/2 (demand). */
export const EFFICIENCY = { numerator: 4n, denominator: 5n } as const;
export const GROWTH = { numerator: 3n, denominator: 2n } as const;
/**
 * The ceiling gives a department of demand 1 (40 % of the weights) its whole demand at 70 % of
 * its share: below the 80 % utilisation where discretionary uses start being shed.
 */
const FIT_UTILISATION_PERCENT = 70n;

/** round(a / b) half up, for non-negative bigints. */
const divRound = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b);

export interface PhaseLoad {
  readonly phase: number;
  readonly energyPerRequestMicroWh: bigint;
  /** Requests of a department of demand 1; a department asks demand × this. */
  readonly baseRequests: number;
}

export function phaseLoads(phases: number, requests: number): PhaseLoad[] {
  const loads: PhaseLoad[] = [];
  for (let phase = 0; phase < phases; phase += 1) {
    const k = BigInt(phase);
    loads.push({
      phase,
      energyPerRequestMicroWh: divRound(
        BASE_ENERGY_MICRO_WH * EFFICIENCY.numerator ** k,
        EFFICIENCY.denominator ** k,
      ),
      baseRequests: Number(
        divRound(BigInt(requests) * GROWTH.numerator ** k, GROWTH.denominator ** k),
      ),
    });
  }
  return loads;
}

/** The budget's ceiling: a department of demand 1 fits in FIT_UTILISATION_PERCENT of its share. */
export function ceilingFor(loads: readonly PhaseLoad[]): bigint {
  const demand = loads.reduce(
    (sum, load) => sum + load.energyPerRequestMicroWh * BigInt(load.baseRequests),
    0n,
  );
  const totalWeight = BigInt(DEPARTMENTS.reduce((sum, dept) => sum + dept.headcount, 0));
  const smallestFitWeight = BigInt(
    Math.min(...DEPARTMENTS.filter((d) => d.demand === 1).map((d) => d.headcount)),
  );
  // share × 70 % ≥ demand  ⇔  ceiling ≥ demand × total × 100 / (weight × 70), rounded up
  const numerator = demand * totalWeight * 100n;
  const denominator = smallestFitWeight * FIT_UTILISATION_PERCENT;
  return (numerator + denominator - 1n) / denominator;
}

/** The class of the i-th request of a department: essential, standard, discretionary in turn. */
export const classOf = (index: number): UsefulnessClass =>
  CLASSES[index % CLASSES.length] as UsefulnessClass;

export interface PlannedRequest {
  readonly department: Department;
  /** Index within the department's requests of the phase. */
  readonly index: number;
  readonly className: UsefulnessClass;
  readonly occurredAt: Date;
}

/** mulberry32: a small deterministic PRNG, enough to shuffle and jitter reproducibly. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * One phase's requests in the order the gateway sees them: departments interleaved at random
 * (seeded), each department's own requests in order (so its classes alternate), each at a random
 * instant inside the window.
 */
export function planPhase(
  load: PhaseLoad,
  window: PhaseWindow,
  random: () => number,
): PlannedRequest[] {
  const queues = DEPARTMENTS.map((department) => ({
    department,
    total: load.baseRequests * department.demand,
    next: 0,
  }));
  const span = window.endsAt.getTime() - window.startsAt.getTime();
  const planned: PlannedRequest[] = [];
  for (;;) {
    const open = queues.filter((queue) => queue.next < queue.total);
    if (open.length === 0) return planned;
    // Weighted by what is left, so departments finish together.
    const left = open.reduce((sum, queue) => sum + (queue.total - queue.next), 0);
    let pick = Math.floor(random() * left);
    let queue = open[0] as (typeof open)[number];
    for (const candidate of open) {
      const remaining = candidate.total - candidate.next;
      if (pick < remaining) {
        queue = candidate;
        break;
      }
      pick -= remaining;
    }
    planned.push({
      department: queue.department,
      index: queue.next,
      className: classOf(queue.next),
      occurredAt: new Date(window.startsAt.getTime() + Math.floor(random() * span)),
    });
    queue.next += 1;
  }
}
