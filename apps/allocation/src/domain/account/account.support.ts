// Shared by the account's decisions: an emitter that folds each event as it is emitted (so the
// invariants are asserted on the write side too), and the checks every decision starts with.
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { lookup } from '../shared/records';
import { BASIS_POINTS_FULL } from '../shared/values';
import { evolveAccount } from './account.evolve';
import type {
  AccountEvent,
  AccountState,
  PendingReservation,
  RecentOutcome,
} from './account.types';

export class Emission {
  readonly events: AccountEvent[] = [];

  constructor(public state: AccountState) {}

  emit(event: AccountEvent): void {
    this.state = evolveAccount(this.state, event);
    this.events.push(event);
  }
}

export function refOf(state: AccountState): { budgetId: string; unitId: string } {
  return { budgetId: state.terms?.budgetId ?? '', unitId: state.terms?.unitId ?? '' };
}

export function requireAccount(state: AccountState): void {
  if (state.status === 'none')
    refuse(DOMAIN_ERROR_CODES.accountNotFound, 'the unit has no account in this budget', {});
}

/** New reservations and quota moves stop when the account is closed or its period has ended. */
export function requireOpenAccount(state: AccountState, now: Date): void {
  requireAccount(state);
  if (state.status === 'closed' || now.getTime() >= state.periodEndsAtMs)
    refuse(DOMAIN_ERROR_CODES.periodClosed, 'the budget period is closed', {
      ...refOf(state),
      periodEndsAt: state.terms?.periodEndsAt ?? '',
    });
}

export type Known =
  | { kind: 'pending'; pending: PendingReservation }
  | { kind: 'finalised'; outcome: RecentOutcome }
  | { kind: 'unknown' };

export function findReservation(state: AccountState, reservationId: string): Known {
  const pending = lookup(state.pending, reservationId);
  if (pending !== undefined) return { kind: 'pending', pending };
  // Newest first: an id is finalised at most once, so the first match is the only one.
  for (let index = state.recent.length - 1; index >= 0; index -= 1) {
    const outcome = state.recent[index] as RecentOutcome;
    if (outcome.reservationId === reservationId) return { kind: 'finalised', outcome };
  }
  return { kind: 'unknown' };
}

export function notFound(reservationId: string): never {
  refuse(DOMAIN_ERROR_CODES.reservationNotFound, `reservation "${reservationId}" not found`, {
    reservationId,
  });
}

export function alreadyFinalised(reservationId: string, outcome: RecentOutcome): never {
  refuse(
    DOMAIN_ERROR_CODES.reservationAlreadyFinalised,
    `reservation "${reservationId}" is already ${outcome.outcome}`,
    {
      reservationId,
      outcome: outcome.outcome,
      committedAmount: outcome.committedAmount.toString(),
    },
  );
}

/** ThresholdCrossed for every threshold the committed usage reached for the first time. */
export function emitThresholdCrossings(emission: Emission): void {
  const { state } = emission;
  if (state.terms === null || state.committed === 0n) return;
  for (const thresholdBasisPoints of state.terms.thresholdsBasisPoints) {
    if (emission.state.thresholdsCrossed.includes(thresholdBasisPoints)) continue;
    if (
      state.committed * BigInt(BASIS_POINTS_FULL) <
      BigInt(thresholdBasisPoints) * state.allocated
    )
      continue;
    emission.emit({
      type: 'ThresholdCrossed',
      data: {
        ...refOf(state),
        thresholdBasisPoints,
        committed: state.committed.toString(),
        allocated: state.allocated.toString(),
      },
    });
  }
}
