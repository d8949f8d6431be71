// Reservations, the hot path. Every command on an account goes through that account's in-process
// queue; a batch (up to maxBatchSize commands) is one transaction:
//   pg_advisory_xact_lock(account) → load the account (snapshot) → decide each command in order,
//   folding its events → one append at the loaded version → index rows → commit → answer each.
// The lock serialises batches across instances, the expected version stays the guard, and a
// retryable failure runs the whole batch again. One append per batch instead of one per command
// is what lets a single hot account absorb hundreds of concurrent calls.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Dimension } from '@plafond/contracts';
import { PostgresEventStore, type TransactionalEventStore } from '@plafond/ledger';
import {
  accountStreamId,
  availableOf,
  DOMAIN_ERROR_CODES,
  DomainError,
  evolveAccount,
} from '../domain';
import { CLOCK, type Clock } from './clock';
import { metadataFor, type CommandContext } from './command-context';
import { APPLICATION_ERROR_CODES, ApplicationError } from './errors';
import {
  budgetColumns,
  findReservations,
  queryBudgets,
  type BudgetRow,
  type ReservationRow,
} from './index-tables';
import { KeyedBatchQueue, type Settled } from './keyed-batch-queue';
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

interface QueuedJob {
  target: AccountTarget;
  job: ReservationJob;
}

@Injectable()
export class ReservationService {
  readonly settings: ReservationSettings;
  private readonly queue: KeyedBatchQueue<QueuedJob, JobResult>;
  /** Commands from their call to their answer (look-ups included): what maxQueued bounds. */
  private inFlight = 0;

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(RESERVATION_SETTINGS) settings?: Partial<ReservationSettings>,
  ) {
    this.settings = reservationSettings(settings);
    this.queue = new KeyedBatchQueue<QueuedJob, JobResult>({
      maxBatchSize: this.settings.maxBatchSize,
      maxQueued: this.settings.maxQueued,
      run: (_key, jobs) => this.runBatch(jobs),
      full: (queued, limit) => busy(queued, limit),
    });
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
    const target = await this.store.transaction(async (tx) => {
      const row = (await findReservations(tx.sql, this.schema, [input.reservationId])).get(
        input.reservationId,
      );
      if (row !== undefined) {
        const sameBudget = input.budgetId === undefined || input.budgetId === row.budgetId;
        const sameDimension = input.dimension === undefined || input.dimension === row.dimension;
        if (!sameBudget || !sameDimension || !sameReserveRequest(row, request))
          throw idempotencyConflict(input.reservationId);
        return targetOf(row);
      }
      return this.resolveBudget(tx, input);
    });
    return this.enqueue(target, { kind: 'reserve', ctx, request }) as Promise<ReservationView>;
  }

  /** With the amount used (≤ reserved; the rest is released). Past the deadline: RESERVATION.EXPIRED. */
  commit(ctx: CommandContext, reservationId: string, amount: bigint): Promise<ReservationView> {
    return this.admitted(async () => {
      const row = await this.requireRow(reservationId);
      const job = { kind: 'commit' as const, ctx, reservationId, amount };
      return (await this.enqueue(targetOf(row), job)) as ReservationView;
    });
  }

  release(ctx: CommandContext, reservationId: string): Promise<ReservationView> {
    return this.admitted(async () => {
      const row = await this.requireRow(reservationId);
      const job = { kind: 'release' as const, ctx, reservationId };
      return (await this.enqueue(targetOf(row), job)) as ReservationView;
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

  private async requireRow(reservationId: string): Promise<ReservationRow> {
    const rows = await this.store.transaction((tx) =>
      findReservations(tx.sql, this.schema, [reservationId]),
    );
    const row = rows.get(reservationId);
    if (row === undefined) throw notFound(reservationId);
    return row;
  }

  /**
   * The budget to reserve in: the one named, or the open budget whose period contains now and in
   * which the unit holds an account (only those can grant anything), filtered by dimension.
   */
  private async resolveBudget(
    tx: TransactionalEventStore,
    input: ReserveInput,
  ): Promise<AccountTarget> {
    const table = `"${this.schema}".budgets`;
    if (input.budgetId !== undefined) {
      const [budget] = await queryBudgets(
        tx.sql,
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
    const candidates = await queryBudgets(
      tx.sql,
      `SELECT ${budgetColumns('b')} FROM ${table} b
         JOIN "${this.schema}".budget_units u ON u.budget_id = b.budget_id AND u.unit_id = $1
        WHERE b.status = 'open' AND b.starts_at <= $2 AND b.ends_at > $2
          AND ($3::text IS NULL OR b.dimension = $3)
        ORDER BY b.budget_id LIMIT $4`,
      [input.unitId, this.clock(), input.dimension ?? null, MAX_CANDIDATES + 1],
    );
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
        { unitId: input.unitId, candidates: candidates.slice(0, MAX_CANDIDATES).map(candidateOf) },
      );
    return { budgetId: only.budgetId, unitId: input.unitId, dimension: only.dimension };
  }

  /**
   * One batch of one account. A failure that is not a refusal and not worth retrying as a whole
   * (e.g. one command the ledger rejects) is isolated by deciding each command on its own.
   */
  private async runBatch(jobs: QueuedJob[]): Promise<Settled<JobResult>[]> {
    try {
      return await runUnitOfWork(this.store, (tx) => this.decideBatch(tx, jobs));
    } catch (error) {
      if (jobs.length === 1 || isRetryable(error)) throw error;
      const results: Settled<JobResult>[] = [];
      for (const job of jobs) {
        try {
          const [result] = await runUnitOfWork(this.store, (tx) => this.decideBatch(tx, [job]));
          results.push(result ?? { ok: false, error: new Error('batch gave no result') });
        } catch (single) {
          results.push({ ok: false, error: single });
        }
      }
      return results;
    }
  }

  private async decideBatch(
    tx: TransactionalEventStore,
    jobs: QueuedJob[],
  ): Promise<Settled<JobResult>[]> {
    const first = jobs[0];
    if (first === undefined) return [];
    const { target } = first;
    const streamId = accountStreamId(target.budgetId, target.unitId);
    await lockStreams(tx.sql, this.schema, [streamId]);
    const now = this.clock();
    const account = await loadAccount(tx, target.budgetId, target.unitId);
    const ids = jobs.map(({ job }) =>
      job.kind === 'reserve' ? job.request.reservationId : job.reservationId,
    );
    const rows = await findReservations(tx.sql, this.schema, ids);
    const catalog = jobs.some(({ job }) => job.kind === 'reserve')
      ? (await loadCatalog(tx)).state
      : undefined;
    const batch = { target, now, rows, catalog };
    let state = account.state;
    const appends: ReturnType<typeof accountAppends> = [];
    const results: Settled<JobResult>[] = [];
    for (const { job } of jobs) {
      const decision = decideJob(batch, state, job);
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
    if (appends.length > 0)
      await appendAccount(tx, this.schema, target, account.version, appends, now);
    return results;
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

function candidateOf(row: BudgetRow): {
  budgetId: string;
  dimension: string;
  perimeterUnitId: string;
} {
  return { budgetId: row.budgetId, dimension: row.dimension, perimeterUnitId: row.perimeterUnitId };
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
