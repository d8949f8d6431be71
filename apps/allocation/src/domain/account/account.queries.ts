// Pure reads of an account state, for handlers (a retry's original answer) and the expirer.
import { availableOf } from './account.invariants';
import { findReservation } from './account.support';
import type { AccountState, FinalOutcome } from './account.types';

export type ReservationStatus =
  | {
      status: 'pending';
      amount: bigint;
      useCase: string;
      usefulnessClass: string;
      expiresAt: string;
      available: bigint;
    }
  | { status: FinalOutcome; amount: bigint; committedAmount: bigint }
  | { status: 'unknown' };

/** What a reservation is now: the answer to return when a retried command decided nothing. */
export function reservationStatus(state: AccountState, reservationId: string): ReservationStatus {
  const known = findReservation(state, reservationId);
  switch (known.kind) {
    case 'pending':
      return {
        status: 'pending',
        amount: known.pending.amount,
        useCase: known.pending.useCase,
        usefulnessClass: known.pending.className,
        expiresAt: new Date(known.pending.expiresAtMs).toISOString(),
        available: availableOf(state),
      };
    case 'finalised':
      return {
        status: known.outcome.outcome,
        amount: known.outcome.amount,
        committedAmount: known.outcome.committedAmount,
      };
    case 'unknown':
      return { status: 'unknown' };
  }
}

/** Pending reservations past their deadline, earliest first, at most `limit` (bounded work per sweep). */
export function dueReservations(state: AccountState, now: Date, limit: number): string[] {
  return Object.entries(state.pending)
    .filter(([, pending]) => pending.expiresAtMs <= now.getTime())
    .sort(
      ([idA, a], [idB, b]) => a.expiresAtMs - b.expiresAtMs || (idA < idB ? -1 : idA > idB ? 1 : 0),
    )
    .slice(0, Math.max(0, Math.min(limit, state.pendingCount)))
    .map(([reservationId]) => reservationId);
}
