// Named crash points for the fault suite (docs/faults.md), after etcd's gofail and FoundationDB's
// BUGGIFY. A kill -9 sent from outside at the right moment is a race the test cannot win on
// purpose: "between the database commit and the Kafka publish" lasts microseconds. A failpoint
// lands there every time. Each is a one-line `failpoint(name)` call in product code, a no-op
// unless the process was started with PLAFOND_FAILPOINTS naming it; then, on the Nth hit, the
// process writes one line naming the point to stderr and SIGKILLs itself: no `finally`, no
// shutdown hook, no flush — what a power cut or the OOM killer leaves behind.
//
// Never set PLAFOND_FAILPOINTS in production. The services log a warning at start-up when it is.
import { writeSync } from 'node:fs';

/** The environment variable arming failpoints, e.g. `relay.after-publish@2,inbox.after-commit@5`. */
export const FAILPOINTS_ENV = 'PLAFOND_FAILPOINTS';

/**
 * The catalogue (docs/faults.md says what each proves). A fixed list, so that a misspelt name
 * fails at start-up instead of silently never firing.
 */
export const FAILPOINT_NAMES = [
  /** PostgresEventStore: a transaction that appended ≥1 event committed; nothing answered or published yet. */
  'ledger.after-commit',
  /** KafkaRelay: the broker acknowledged a batch; its checkpoint is not written. */
  'relay.after-publish',
  /** Inbox Kafka consumer: a message's inbox transaction committed; its offset is not. */
  'inbox.after-commit',
  /** Subscription: a transactional handler applied a batch; the checkpoint is not written. */
  'projection.mid-batch',
] as const;

export type FailpointName = (typeof FAILPOINT_NAMES)[number];

/** One armed point: the process dies on the `hit`-th time it reaches `name` (1 = the first). */
export interface ArmedFailpoint {
  readonly name: FailpointName;
  readonly hit: number;
}

export class FailpointConfigError extends Error {
  constructor(message: string) {
    super(`${FAILPOINTS_ENV}: ${message}`);
    this.name = 'FailpointConfigError';
  }
}

const ENTRY = /^([a-z][a-z.-]*)@([1-9][0-9]{0,8})$/;

const isFailpointName = (name: string): name is FailpointName =>
  (FAILPOINT_NAMES as readonly string[]).includes(name);

/** Parses `name@N[,name@N…]`; empty or absent arms nothing. Throws on anything else. */
export function parseFailpoints(spec: string | undefined): readonly ArmedFailpoint[] {
  if (spec === undefined || spec.trim() === '') return [];
  const armed: ArmedFailpoint[] = [];
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    const match = ENTRY.exec(entry);
    if (match === null) {
      throw new FailpointConfigError(
        `'${entry}' is not name@N (N a positive integer below 10^9), e.g. relay.after-publish@2`,
      );
    }
    const [, name, hit] = match as unknown as [string, string, string];
    if (!isFailpointName(name)) {
      throw new FailpointConfigError(
        `unknown failpoint '${name}'; known: ${FAILPOINT_NAMES.join(', ')}`,
      );
    }
    if (armed.some((point) => point.name === name)) {
      throw new FailpointConfigError(`failpoint '${name}' is armed twice`);
    }
    armed.push({ name, hit: Number(hit) });
  }
  return armed;
}

/** What firing does; the process-wide instance kills the process. */
export type FailpointCrash = (point: ArmedFailpoint) => void;

/** Counts hits of the armed points and crashes on the chosen one. */
export class Failpoints {
  private readonly targets: ReadonlyMap<FailpointName, number>;
  private readonly hits = new Map<FailpointName, number>();

  constructor(
    readonly armed: readonly ArmedFailpoint[],
    private readonly crash: FailpointCrash,
  ) {
    this.targets = new Map(armed.map((point) => [point.name, point.hit]));
  }

  hit(name: FailpointName): void {
    // The hot path when nothing is armed (always, in production): one map lookup.
    const target = this.targets.get(name);
    if (target === undefined) {
      // A caller outside TypeScript's checks (the type says this cannot happen).
      if (!isFailpointName(name))
        throw new FailpointConfigError(`unknown failpoint '${String(name)}'`);
      return;
    }
    const count = (this.hits.get(name) ?? 0) + 1;
    this.hits.set(name, count);
    if (count === target) this.crash({ name, hit: count });
  }

  /** How many times `name` was reached so far (armed points only). */
  count(name: FailpointName): number {
    return this.hits.get(name) ?? 0;
  }
}

/** The stderr line the fault suite looks for; written synchronously, then SIGKILL. */
export const failpointFiredLine = (point: ArmedFailpoint, pid: number): string =>
  `failpoint ${point.name} fired on hit ${point.hit}: SIGKILL to pid ${pid}`;

const killThisProcess: FailpointCrash = (point) => {
  // writeSync: an asynchronous write would still be queued when the signal lands.
  writeSync(2, `${failpointFiredLine(point, process.pid)}\n`);
  process.kill(process.pid, 'SIGKILL');
};

let processFailpoints: Failpoints | undefined;
let processConfigError: FailpointConfigError | undefined;

/** Parsed once, on first use: bad syntax throws here, at every call, until the process is fixed. */
function processWide(): Failpoints {
  if (processFailpoints !== undefined) return processFailpoints;
  if (processConfigError !== undefined) throw processConfigError;
  try {
    processFailpoints = new Failpoints(
      parseFailpoints(process.env[FAILPOINTS_ENV]),
      killThisProcess,
    );
  } catch (error) {
    if (error instanceof FailpointConfigError) processConfigError = error;
    throw error;
  }
  return processFailpoints;
}

/** A crash point: a no-op unless PLAFOND_FAILPOINTS arms `name` (docs/faults.md). */
export function failpoint(name: FailpointName): void {
  processWide().hit(name);
}

/** The points this process armed; throws `FailpointConfigError` if PLAFOND_FAILPOINTS is invalid. */
export function armedFailpoints(): readonly ArmedFailpoint[] {
  return processWide().armed;
}
