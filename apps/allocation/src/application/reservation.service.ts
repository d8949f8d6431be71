// Reservations, the hot path. Every command on an account goes through that account's in-process
// queue; a batch (up to maxBatchSize commands) is one transaction:
//   pg_advisory_xact_lock(account) → the account's state (remembered from the previous batch and
//   caught up from the events after it, or loaded from its snapshot) → decide each command in
//   order, folding its events → one append at that version → index rows → commit → answer each.
// The lock serialises batches across instances, the expected version stays the guard, and a
// retryable failure runs the whole batch again. One append per batch instead of one per command
// is what lets a single hot account absorb hundreds of concurrent calls. Before the queue, a
// command costs at most two single-statement reads (no transaction): where the reservation lives
// and which budget a new one goes to; a release or commit of a reservation this process granted
// costs none (reservation-caches.ts).
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Dimension } from '@plafond/contracts';
import { PostgresEventStore, type TransactionalEventStore } from '@plafond/ledger';
import {
  accountStreamId,
  availableOf,
  CATALOG_STREAM_ID,
  DOMAIN_ERROR_CODES,
  DomainError,
  evolveAccount,
  evolveCatalog,
  type AccountEvent,
  type AccountState,
  type CatalogEvent,
  type CatalogState,
} from '../domain';
import { CLOCK, type Clock } from './clock';
import { metadataFor, type CommandContext } from './command-context';
import { APPLICATION_ERROR_CODES, ApplicationError } from './errors';
import { budgetColumns, findReservations, queryBudgets, type ReservationRow } from './index-tables';
import { KeyedBatchQueue, type Settled } from './keyed-batch-queue';
import { LruMap, StreamStates } from './reservation-caches';
import { refusalOf, ReservationRefusals, type RefusalRecord } from './refusal-recorder';
import { CoalescedLookup } from './reservation-lookups';
import {
  decideJob,
  idempotencyConflict,
  reservationView,
  sameReserveRequest,
  type JobResult,
  type ReservationJob,
} from './reservation-jobs';
import {
  RESERVATION_SETTINGS,
  reservationSettings,
  type ReservationSettings,
} from './reservation-settings';
import { accountAppends, appendAccount, type AccountTarget } from './stream-writes';
import { loadAccount, loadCatalog } from './streams';
import { lockStreams } from './stream-locks';
import { isRetryable, runUnitOfWork } from './unit-of-work';
import type { ReservationView } from './views';

export interface ReserveInput {
  reservationId: string;
  unitId: string;
  amount: bigint;
  useCase: string;
  timeoutMs: number;
  /** Absent: the one open budget covering the unit now (filtered by `dimension`). */
  budgetId?: string;
  dimension?: Dimension;
}

/** `metadata.actor` of the expiries the service decides itself. */
export const EXPIRER_ACTOR = 'system:reservation-expirer';
/** Budgets listed in RESERVATION.BUDGET_AMBIGUOUS at most. */
const MAX_CANDIDATES = 10;
/** Keys of one coalesced look-up statement at most. */
const LOOKUP_KEYS = 500;

/** An open budget a new reservation could go to (listed in RESERVATION.BUDGET_AMBIGUOUS). */
type Candidate = { budgetId: string; dimension: string; perimeterUnitId: string };

interface QueuedJob {
  target: AccountTarget;
  job: ReservationJob;
}

/** A batch's answers, and the account state its commit leaves (absent: nothing appended). */
interface DecidedBatch {
  results: Settled<JobResult>[];
  /** Reserves refused for a counted reason, recorded once the batch's outcome is final. */
  refusals: RefusalRecord[];
  after?: { streamId: string; state: AccountState; version: bigint };
}

@Injectable()
export class ReservationService {
  readonly settings: ReservationSettings;
  private readonly queue: KeyedBatchQueue<QueuedJob, JobResult>;
  /** Commands from their call to their answer (look-ups included): what maxQueued bounds. */
  private inFlight = 0;
  /** Where granted reservations live (fixed for their lifetime). */
  private readonly targets: LruMap<string, AccountTarget>;
  private readonly accounts: StreamStates<AccountState, AccountEvent>;
  /** Read by every batch that reserves; only caught up (catalog commands write it elsewhere). */
  private readonly catalog: StreamStates<CatalogState, CatalogEvent>;
  /** Index rows of reservations by id, coalesced. */
  private readonly rows: CoalescedLookup<string, ReservationRow>;
  /** Open budgets covering a unit now, by `openBudgetsKey`, coalesced. */
  private readonly openBudgets: CoalescedLookup<string, Candidate[]>;

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(RESERVATION_SETTINGS) settings?: Partial<ReservationSettings>,
    @Optional() private readonly refusals?: ReservationRefusals,
  ) {
    this.settings = reservationSettings(settings);
    this.queue = new KeyedBatchQueue<QueuedJob, JobResult>({
      maxBatchSize: this.settings.maxBatchSize,
      maxQueued: this.settings.maxQueued,
      run: (_key, jobs) => this.runBatch(jobs),
      full: (queued, limit) => busy(queued, limit),
    });
    this.targets = new LruMap(this.settings.rememberedReservations);
    this.accounts = new StreamStates({
      capacity: this.settings.rememberedAccounts,
      fullLoadEvery: this.settings.fullLoadEvery,
      evolve: evolveAccount,
    });
    this.catalog = new StreamStates({
      capacity: 1,
      fullLoadEvery: this.settings.fullLoadEvery,
      evolve: evolveCatalog,
    });
    this.rows = new CoalescedLookup(LOOKUP_KEYS, (ids) =>
      findReservations(this.store.sql, this.schema, ids),
    );
    this.openBudgets = new CoalescedLookup(LOOKUP_KEYS, (keys) => this.findOpenBudgets(keys));
  }

  /** Runs a command counted against maxQueued, refusing at once (before any I/O) beyond it. */
  private admitted<T>(command: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.settings.maxQueued)
      return Promise.reject(busy(this.inFlight, this.settings.maxQueued));
    this.inFlight += 1;
    return command().finally(() => {
      this.inFlight -= 1;
    });
  }

  private get schema(): string {
    return this.store.schema;
  }

  /**
   * Grants or refuses (DomainError with `details.available`). A retry with the same id and
   * request answers as the first call did, whatever happened since; the same id with another
   * unit, budget, amount, use case or timeout is IDEMPOTENCY.CONFLICT.
   */
  reserve(ctx: CommandContext, input: ReserveInput): Promise<ReservationView> {
    return this.admitted(() => this.reserveAdmitted(ctx, input));
  }

  private async reserveAdmitted(
    ctx: CommandContext,
    input: ReserveInput,
  ): Promise<ReservationView> {
    const request = {
      reservationId: input.reservationId,
      unitId: input.unitId,
      amount: input.amount,
      useCase: input.useCase,
      timeoutMs: input.timeoutMs,
    };
    // Routing only (the batch decides under the account's lock), so no transaction around it.
    const row = await this.rows.get(input.reservationId);
    let target: AccountTarget;
    if (row !== undefined) {
      const sameBudget = input.budgetId === undefined || input.budgetId === row.budgetId;
      const sameDimension = input.dimension === undefined || input.dimension === row.dimension;
      if (!sameBudget || !sameDimension || !sameReserveRequest(row, request))
        throw idempotencyConflict(input.reservationId);
      target = targetOf(row);
    } else target = await this.resolveBudget(input);
    return this.enqueue(target, { kind: 'reserve', ctx, request }) as Promise<ReservationView>;
  }

  /** With the amount used (≤ reserved; the rest is released). Past the deadline: RESERVATION.EXPIRED. */
  commit(ctx: CommandContext, reservationId: string, amount: bigint): Promise<ReservationView> {
    return this.admitted(async () => {
      const job = { kind: 'commit' as const, ctx, reservationId, amount };
      return (await this.enqueue(await this.targetOf(reservationId), job)) as ReservationView;
    });
  }

  release(ctx: CommandContext, reservationId: string): Promise<ReservationView> {
    return this.admitted(async () => {
      const job = { kind: 'release' as const, ctx, reservationId };
      return (await this.enqueue(await this.targetOf(reservationId), job)) as ReservationView;
    });
  }

  /** From the index (exact: written with the events), with the unit's available quota now. */
  get(reservationId: string): Promise<ReservationView> {
    return this.store.transaction(async (tx) => {
      const row = (await findReservations(tx.sql, this.schema, [reservationId])).get(reservationId);
      if (row === undefined) throw notFound(reservationId);
      const { state } = await loadAccount(tx, row.budgetId, row.unitId);
      const available = availableOf(state);
      return reservationView(
        targetOf(row),
        reservationId,
        {
          amount: row.amount,
          useCase: row.useCase,
          usefulnessClass: row.usefulnessClass,
          expiresAt: row.expiresAt.toISOString(),
        },
        { status: row.status, committedAmount: row.committedAmount },
        available,
      );
    });
  }

  /**
   * Expires the given due reservations through their accounts' queues, so an expiry and a commit
   * of one reservation are decided one after the other and exactly one of them wins. Returns how
   * many this call expired (others were already finalised, or are not due by this clock).
   */
  async expire(rows: readonly ReservationRow[]): Promise<number> {
    const ctx = { actor: EXPIRER_ACTOR };
    const outcomes = await Promise.allSettled(
      rows.map((row) =>
        this.enqueue(targetOf(row), { kind: 'expire', ctx, reservationId: row.reservationId }),
      ),
    );
    return outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === true)
      .length;
  }

  /** Commands accepted and not yet answered in this process. */
  get queued(): number {
    return Math.max(this.inFlight, this.queue.size);
  }

  /** Resolves once every accepted command has been answered. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(target: AccountTarget, job: ReservationJob): Promise<JobResult> {
    return this.queue.enqueue(accountStreamId(target.budgetId, target.unitId), { target, job });
  }

  /** The account of an existing reservation: remembered, or from the index (one statement). */
  private async targetOf(reservationId: string): Promise<AccountTarget> {
    const remembered = this.targets.get(reservationId);
    if (remembered !== undefined) return remembered;
    const row = await this.rows.get(reservationId);
    if (row === undefined) throw notFound(reservationId);
    const target = targetOf(row);
    this.targets.set(reservationId, target);
    return target;
  }

  /**
   * The budget to reserve in: the one named, or the open budget whose period contains now and in
   * which the unit holds an account (only those can grant anything), filtered by dimension.
   */
  private async resolveBudget(input: ReserveInput): Promise<AccountTarget> {
    const table = `"${this.schema}".budgets`;
    if (input.budgetId !== undefined) {
      const [budget] = await queryBudgets(
        this.store.sql,
        `SELECT ${budgetColumns()} FROM ${table} WHERE budget_id = $1`,
        [input.budgetId],
      );
      if (budget === undefined)
        throw new DomainError(
          DOMAIN_ERROR_CODES.budgetNotFound,
          `budget "${input.budgetId}" not found`,
          {
            budgetId: input.budgetId,
          },
        );
      if (input.dimension !== undefined && input.dimension !== budget.dimension)
        throw new DomainError(
          DOMAIN_ERROR_CODES.commandInvalid,
          `dimension: budget "${budget.budgetId}" limits ${budget.dimension}`,
          { field: 'dimension', reason: `budget "${budget.budgetId}" limits ${budget.dimension}` },
        );
      return { budgetId: budget.budgetId, unitId: input.unitId, dimension: budget.dimension };
    }
    const candidates =
      (await this.openBudgets.get(openBudgetsKey(input.unitId, input.dimension ?? null))) ?? [];
    const [only, ...others] = candidates;
    if (only === undefined)
      throw new ApplicationError(
        APPLICATION_ERROR_CODES.noOpenBudget,
        `no open budget covers unit "${input.unitId}" now${input.dimension === undefined ? '' : ` for ${input.dimension}`}`,
        { unitId: input.unitId, dimension: input.dimension ?? null },
      );
    if (others.length > 0)
      throw new ApplicationError(
        APPLICATION_ERROR_CODES.budgetAmbiguous,
        `several open budgets cover unit "${input.unitId}"; name budgetId or dimension`,
        { unitId: input.unitId, candidates: candidates.slice(0, MAX_CANDIDATES) },
      );
    return { budgetId: only.budgetId, unitId: input.unitId, dimension: only.dimension };
  }

  /**
   * For each (unit, dimension) key, the open budgets whose period contains now and in which the
   * unit holds an account (only those can grant anything), by budget id, at most MAX_CANDIDATES + 1:
   * one statement per dimension asked for.
   */
  private async findOpenBudgets(keys: readonly string[]): Promise<Map<string, Candidate[]>> {
    const unitsByDimension = new Map<string | null, string[]>();
    for (const key of keys) {
      const { unitId, dimension } = parseOpenBudgetsKey(key);
      unitsByDimension.set(dimension, [...(unitsByDimension.get(dimension) ?? []), unitId]);
    }
    const now = this.clock();
    const found = new Map<string, Candidate[]>();
    for (const [dimension, unitIds] of unitsByDimension) {
      const rows = await this.store.sql.query<{
        unit_id: string;
        budget_id: string;
        dimension: string;
        perimeter_unit_id: string;
      }>(
        `SELECT unit_id, budget_id, dimension, perimeter_unit_id FROM (
           SELECT u.unit_id, b.budget_id, b.dimension, b.perimeter_unit_id,
                  row_number() OVER (PARTITION BY u.unit_id ORDER BY b.budget_id) AS rank
             FROM "${this.schema}".budget_units u
             JOIN "${this.schema}".budgets b ON b.budget_id = u.budget_id
            WHERE u.unit_id = ANY($1::text[]) AND b.status = 'open'
              AND b.starts_at <= $2 AND b.ends_at > $2 AND ($3::text IS NULL OR b.dimension = $3)
         ) AS c
         WHERE rank <= $4 ORDER BY unit_id, budget_id`,
        [unitIds, now, dimension, MAX_CANDIDATES + 1],
      );
      for (const row of rows) {
        const key = openBudgetsKey(row.unit_id, dimension);
        found.set(key, [
          ...(found.get(key) ?? []),
          {
            budgetId: row.budget_id,
            dimension: row.dimension,
            perimeterUnitId: row.perimeter_unit_id,
          },
        ]);
      }
    }
    return found;
  }

  /**
   * One batch of one account. A failure that is not a refusal and not worth retrying as a whole
   * (e.g. one command the ledger rejects) is isolated by deciding each command on its own.
   */
  private async runBatch(jobs: QueuedJob[]): Promise<Settled<JobResult>[]> {
    try {
      return await this.runCommitted(jobs);
    } catch (error) {
      if (jobs.length === 1 || isRetryable(error)) throw error;
      const results: Settled<JobResult>[] = [];
      for (const job of jobs) {
        try {
          const [result] = await this.runCommitted([job]);
          results.push(result ?? { ok: false, error: new Error('batch gave no result') });
        } catch (single) {
          results.push({ ok: false, error: single });
        }
      }
      return results;
    }
  }

  /** One unit of work; what it committed is remembered, and only that. */
  private async runCommitted(jobs: QueuedJob[]): Promise<Settled<JobResult>[]> {
    let decided: DecidedBatch;
    try {
      decided = await runUnitOfWork(this.store, (tx) => this.decideBatch(tx, jobs));
    } catch (error) {
      // Rolled back, or a commit whose outcome is unknown: the next batch loads from the ledger.
      const first = jobs[0];
      if (first !== undefined)
        this.accounts.forget(accountStreamId(first.target.budgetId, first.target.unitId));
      throw error;
    }
    if (decided.after !== undefined) {
      const { streamId, state, version } = decided.after;
      this.accounts.remember(streamId, state, version);
    }
    // After the commit only: a batch run again (retry, or one by one) decides its refusals again.
    for (const refusal of decided.refusals) this.refusals?.record(refusal);
    decided.results.forEach((result, index) => {
      const queued = jobs[index];
      if (result.ok && queued?.job.kind === 'reserve')
        this.targets.set(queued.job.request.reservationId, queued.target);
    });
    return decided.results;
  }

  private async decideBatch(tx: TransactionalEventStore, jobs: QueuedJob[]): Promise<DecidedBatch> {
    const first = jobs[0];
    if (first === undefined) return { results: [], refusals: [] };
    const { target } = first;
    const streamId = accountStreamId(target.budgetId, target.unitId);
    await lockStreams(tx.sql, this.schema, [streamId]);
    const now = this.clock();
    const account = await this.accounts.load(tx, streamId, () =>
      loadAccount(tx, target.budgetId, target.unitId),
    );
    const ids = jobs.map(({ job }) =>
      job.kind === 'reserve' ? job.request.reservationId : job.reservationId,
    );
    const rows = await findReservations(tx.sql, this.schema, ids);
    const catalog = jobs.some(({ job }) => job.kind === 'reserve')
      ? (await this.catalog.load(tx, CATALOG_STREAM_ID, () => loadCatalog(tx))).state
      : undefined;
    const batch = { target, now, rows, catalog };
    let state = account.state;
    const appends: ReturnType<typeof accountAppends> = [];
    const results: Settled<JobResult>[] = [];
    const refusals: RefusalRecord[] = [];
    for (const { job } of jobs) {
      const decision = decideJob(batch, state, job);
      if (job.kind === 'reserve' && !decision.result.ok) {
        const refusal = refusalOf(
          decision.result.error,
          job.request,
          target.budgetId,
          catalog,
          now,
        );
        if (refusal !== undefined) refusals.push(refusal);
      }
      state = decision.events.reduce(evolveAccount, state);
      appends.push(
        ...accountAppends(
          streamId,
          decision.events,
          metadataFor({ ctx: job.ctx, now }, target.unitId),
        ),
      );
      results.push(decision.result);
    }
    if (appends.length === 0) return { results, refusals };
    const { version, idempotentReplay } = await appendAccount(
      tx,
      this.schema,
      target,
      account.version,
      appends,
      now,
    );
    if (idempotentReplay) {
      // The events were in the stream already: the folded state is not the stream's.
      this.accounts.forget(streamId);
      return { results, refusals };
    }
    return { results, refusals, after: { streamId, state, version } };
  }
}

function busy(queued: number, limit: number): ApplicationError {
  return new ApplicationError(
    APPLICATION_ERROR_CODES.busy,
    'too many reservation commands in flight on this instance; retry later with the same id',
    { queued, limit },
    true,
  );
}

function targetOf(row: ReservationRow): AccountTarget {
  return { budgetId: row.budgetId, unitId: row.unitId, dimension: row.dimension };
}

const openBudgetsKey = (unitId: string, dimension: string | null): string =>
  JSON.stringify([unitId, dimension]);

function parseOpenBudgetsKey(key: string): { unitId: string; dimension: string | null } {
  const [unitId, dimension] = JSON.parse(key) as [string, string | null];
  return { unitId, dimension };
}

function notFound(reservationId: string): DomainError {
  return new DomainError(
    DOMAIN_ERROR_CODES.reservationNotFound,
    `reservation "${reservationId}" not found`,
    {
      reservationId,
    },
  );
}
