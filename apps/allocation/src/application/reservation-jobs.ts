// One account's reservation commands, decided in order against the state each leaves behind.
// Pure: the batch's transaction (reservation.service.ts) loads, appends and answers.
import {
  availableOf,
  decideAccount,
  DOMAIN_ERROR_CODES,
  DomainError,
  evolveAccount,
  isDomainError,
  reservationStatus,
  resolveUseCase,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type CatalogState,
  type ClassRule,
} from '../domain';
import type { CommandContext } from './command-context';
import { isApplicationError } from './errors';
import type { ReservationRow } from './index-tables';
import type { Settled } from './keyed-batch-queue';
import type { AccountTarget } from './stream-writes';
import type { ReservationStatusName, ReservationView } from './views';

export interface ReserveRequest {
  reservationId: string;
  unitId: string;
  amount: bigint;
  useCase: string;
  timeoutMs: number;
}

export type ReservationJob =
  | { kind: 'reserve'; ctx: CommandContext; request: ReserveRequest }
  | { kind: 'commit'; ctx: CommandContext; reservationId: string; amount: bigint }
  | { kind: 'release'; ctx: CommandContext; reservationId: string }
  | { kind: 'expire'; ctx: CommandContext; reservationId: string };

/** Views for reserve / commit / release; whether it expired for expire. */
export type JobResult = ReservationView | boolean;

export interface JobDecision {
  events: AccountEvent[];
  result: Settled<JobResult>;
}

export interface BatchContext {
  target: AccountTarget;
  now: Date;
  rows: ReadonlyMap<string, ReservationRow>;
  /** Loaded only when the batch holds a reservation. */
  catalog: CatalogState | undefined;
}

/** What a view needs besides the status: fixed when the reservation was granted. */
interface Facts {
  amount: bigint;
  useCase: string;
  usefulnessClass: string;
  expiresAt: string;
}

const command = <Type extends AccountCommand['type']>(
  type: Type,
  data: Extract<AccountCommand, { type: Type }>['data'],
  now: Date,
) => ({ type, data, metadata: { now } }) as Extract<AccountCommand, { type: Type }>;

export function sameReserveRequest(row: ReservationRow, request: ReserveRequest): boolean {
  return (
    row.unitId === request.unitId &&
    row.amount === request.amount &&
    row.useCase === request.useCase &&
    row.timeoutMs === request.timeoutMs
  );
}

export function idempotencyConflict(reservationId: string): DomainError {
  return new DomainError(
    DOMAIN_ERROR_CODES.idempotencyConflict,
    `reservation "${reservationId}" was made with another request`,
    { reservationId },
  );
}

function factsOf(
  state: AccountState,
  row: ReservationRow | undefined,
  id: string,
): Facts | undefined {
  const pending = Object.hasOwn(state.pending, id) ? state.pending[id] : undefined;
  if (pending !== undefined)
    return {
      amount: pending.amount,
      useCase: pending.useCase,
      usefulnessClass: pending.className,
      expiresAt: new Date(pending.expiresAtMs).toISOString(),
    };
  if (row === undefined) return undefined;
  return {
    amount: row.amount,
    useCase: row.useCase,
    usefulnessClass: row.usefulnessClass,
    expiresAt: row.expiresAt.toISOString(),
  };
}

export function reservationView(
  target: AccountTarget,
  reservationId: string,
  facts: Facts,
  status: { status: ReservationStatusName; committedAmount?: bigint | null },
  available: bigint,
): ReservationView {
  const committed = status.status === 'committed' ? (status.committedAmount ?? 0n) : undefined;
  const released = status.status === 'pending' ? undefined : facts.amount - (committed ?? 0n);
  return {
    reservationId,
    budgetId: target.budgetId,
    unitId: target.unitId,
    dimension: target.dimension,
    useCase: facts.useCase,
    usefulnessClass: facts.usefulnessClass,
    amount: facts.amount.toString(),
    status: status.status,
    ...(committed === undefined ? {} : { committedAmount: committed.toString() }),
    ...(released === undefined ? {} : { releasedAmount: released.toString() }),
    expiresAt: facts.expiresAt,
    available: available.toString(),
  };
}

/** The reservation as it stands in `state`, or in its index row once the account forgot it. */
function currentView(
  batch: BatchContext,
  state: AccountState,
  facts: Facts,
  reservationId: string,
): ReservationView {
  const known = reservationStatus(state, reservationId);
  const row = batch.rows.get(reservationId);
  const status =
    known.status !== 'unknown'
      ? {
          status: known.status,
          committedAmount: 'committedAmount' in known ? known.committedAmount : null,
        }
      : { status: row?.status ?? 'pending', committedAmount: row?.committedAmount ?? null };
  return reservationView(batch.target, reservationId, facts, status, availableOf(state));
}

const ok = (value: JobResult): Settled<JobResult> => ({ ok: true, value });
const failed = (error: unknown): Settled<JobResult> => ({ ok: false, error });

function notFound(reservationId: string): DomainError {
  return new DomainError(
    DOMAIN_ERROR_CODES.reservationNotFound,
    `reservation "${reservationId}" not found`,
    {
      reservationId,
    },
  );
}

function reserve(batch: BatchContext, state: AccountState, request: ReserveRequest): JobDecision {
  const { reservationId } = request;
  const row = batch.rows.get(reservationId);
  if (
    row !== undefined &&
    (row.budgetId !== batch.target.budgetId || !sameReserveRequest(row, request))
  )
    throw idempotencyConflict(reservationId);
  const known = reservationStatus(state, reservationId);
  if (row !== undefined && known.status === 'unknown') {
    // Granted long ago: the account's window of outcomes moved on, the index remembers.
    const facts = factsOf(state, row, reservationId) as Facts;
    return { events: [], result: ok(currentView(batch, state, facts, reservationId)) };
  }
  // A known id only needs the decider's sameness check: its class rule is not evaluated again
  // (the use case may have been retired since), so the class it was granted under will do.
  const usefulnessClass: { className: string; rule: ClassRule } =
    known.status === 'unknown'
      ? resolveUseCase(batch.catalog ?? failCatalog(), request.useCase)
      : {
          className: factsOf(state, row, reservationId)?.usefulnessClass ?? 'unknown',
          rule: { kind: 'allowed' },
        };
  const events = decideAccount(
    command(
      'ReserveQuota',
      {
        reservationId,
        amount: request.amount,
        useCase: request.useCase,
        usefulnessClass,
        timeoutMs: request.timeoutMs,
      },
      batch.now,
    ),
    state,
  );
  const after = events.reduce(evolveAccount, state);
  const granted = events.find((event) => event.type === 'QuotaReserved');
  if (granted !== undefined) {
    const facts = factsOf(after, undefined, reservationId) as Facts;
    const view = reservationView(
      batch.target,
      reservationId,
      facts,
      { status: 'pending' },
      BigInt(granted.data.available),
    );
    return { events, result: ok(view) };
  }
  const facts = factsOf(state, row, reservationId);
  if (facts === undefined) throw notFound(reservationId);
  return { events, result: ok(currentView(batch, after, facts, reservationId)) };
}

function failCatalog(): never {
  throw new Error('reservation batch without its catalog');
}

function finalisedFromRow(
  row: ReservationRow,
  accepts: (row: ReservationRow) => boolean,
  reservationId: string,
): void {
  if (accepts(row)) return;
  throw new DomainError(
    DOMAIN_ERROR_CODES.reservationAlreadyFinalised,
    `reservation "${reservationId}" is already ${row.status}`,
    { reservationId, outcome: row.status, committedAmount: (row.committedAmount ?? 0n).toString() },
  );
}

function settle(
  batch: BatchContext,
  state: AccountState,
  reservationId: string,
  decide: () => AccountEvent[],
  acceptsFromRow: (row: ReservationRow) => boolean,
): JobDecision {
  const row = batch.rows.get(reservationId);
  const facts = factsOf(state, row, reservationId);
  if (facts === undefined) throw notFound(reservationId);
  if (reservationStatus(state, reservationId).status === 'unknown') {
    if (row === undefined) throw notFound(reservationId);
    finalisedFromRow(row, acceptsFromRow, reservationId);
    return { events: [], result: ok(currentView(batch, state, facts, reservationId)) };
  }
  const events = decide();
  return {
    events,
    result: ok(currentView(batch, events.reduce(evolveAccount, state), facts, reservationId)),
  };
}

function commit(
  batch: BatchContext,
  state: AccountState,
  reservationId: string,
  amount: bigint,
): JobDecision {
  try {
    return settle(
      batch,
      state,
      reservationId,
      () =>
        decideAccount(command('CommitReservation', { reservationId, amount }, batch.now), state),
      (row) => row.status === 'committed' && row.committedAmount === amount,
    );
  } catch (error) {
    // Past its deadline a reservation can only expire: expire it now, and refuse the commit.
    if (isDomainError(error) && error.code === DOMAIN_ERROR_CODES.reservationExpired) {
      const events = decideAccount(
        command('ExpireReservation', { reservationId }, batch.now),
        state,
      );
      return { events, result: failed(error) };
    }
    throw error;
  }
}

function expire(batch: BatchContext, state: AccountState, reservationId: string): JobDecision {
  if (reservationStatus(state, reservationId).status !== 'pending')
    return { events: [], result: ok(false) };
  try {
    const events = decideAccount(command('ExpireReservation', { reservationId }, batch.now), state);
    return { events, result: ok(events.length > 0) };
  } catch (error) {
    // Not due yet by this instance's clock: left for a later sweep.
    if (isDomainError(error) && error.code === DOMAIN_ERROR_CODES.reservationNotExpired)
      return { events: [], result: ok(false) };
    throw error;
  }
}

/** Decides one job; refusals become its failed result, anything else fails the batch. */
export function decideJob(
  batch: BatchContext,
  state: AccountState,
  job: ReservationJob,
): JobDecision {
  try {
    switch (job.kind) {
      case 'reserve':
        return reserve(batch, state, job.request);
      case 'commit':
        return commit(batch, state, job.reservationId, job.amount);
      case 'release':
        return settle(
          batch,
          state,
          job.reservationId,
          () =>
            decideAccount(
              command('ReleaseReservation', { reservationId: job.reservationId }, batch.now),
              state,
            ),
          (row) => row.status === 'released',
        );
      case 'expire':
        return expire(batch, state, job.reservationId);
      default: {
        const unreachable: never = job;
        throw new Error(`unknown reservation job ${JSON.stringify(unreachable)}`);
      }
    }
  } catch (error) {
    if (isDomainError(error) || isApplicationError(error))
      return { events: [], result: failed(error) };
    throw error;
  }
}
