// The account's invariants, asserted after every event (evolve) and, in full, before every
// decision: a state that breaks them is a bug or a corrupted stream, never something to repair.
import { invariant } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { sumAmounts } from '../shared/values';
import type { AccountState } from './account.types';

/** Quota still free for reservations and transfers: allocated − reserved − committed within allocation. */
export const availableOf = (state: AccountState): bigint =>
  state.allocated - (state.committed - state.overrun) - state.reserved;

/** Reserved + committed within the allocation. */
export const usedInAllocationOf = (state: AccountState): bigint =>
  state.committed - state.overrun + state.reserved;

const figures = (state: AccountState): Record<string, string> => ({
  unitId: state.terms?.unitId ?? '',
  allocated: state.allocated.toString(),
  reserved: state.reserved.toString(),
  committed: state.committed.toString(),
  overrun: state.overrun.toString(),
});

/** Cheap checks, after every event. */
export function assertAccountInvariants(state: AccountState): void {
  const ok =
    state.allocated >= 0n &&
    state.reserved >= 0n &&
    state.committed >= 0n &&
    state.overrun >= 0n &&
    state.overrun <= state.committed;
  invariant(ok, 'account figures out of range', figures(state));
  // committed + reserved ≤ allocated + recorded overrun: only OverrunRecorded usage passes the allocation.
  invariant(
    availableOf(state) >= 0n,
    'committed + reserved exceeds allocated without a recorded overrun',
    figures(state),
  );
  invariant(
    state.pendingCount >= 0 && state.pendingCount <= DOMAIN_LIMITS.pendingReservations,
    'pending reservations out of bounds',
    figures(state),
  );
  invariant(
    state.recent.length <= DOMAIN_LIMITS.recentOutcomes,
    'recent outcomes out of bounds',
    figures(state),
  );
}

/** Everything, including the sums over pending reservations and classes: before each decision. */
export function assertAccountConsistent(state: AccountState): void {
  assertAccountInvariants(state);
  const pending = Object.values(state.pending);
  invariant(
    pending.length === state.pendingCount,
    'pending count disagrees with pending reservations',
    figures(state),
  );
  invariant(
    sumAmounts(pending.map((item) => item.amount)) === state.reserved,
    'reserved ≠ Σ pending',
    figures(state),
  );
  const classes = Object.values(state.byClass);
  invariant(
    sumAmounts(classes.map((totals) => totals.reserved)) === state.reserved,
    'reserved ≠ Σ class reservations',
    figures(state),
  );
  invariant(
    classes.every((totals) => totals.reserved >= 0n && totals.committed >= 0n) &&
      sumAmounts(classes.map((totals) => totals.committed)) <= state.committed,
    'class totals out of range',
    figures(state),
  );
}
