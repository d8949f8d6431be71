import { unreachable } from '../shared/command';
import { invariant } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup, withEntry, withoutEntry } from '../shared/records';
import { amountOf } from '../shared/values';
import type {
  AccountEvent,
  AccountState,
  ClassTotals,
  FinalOutcome,
  PendingReservation,
} from './account.types';
import { assertAccountInvariants } from './account.invariants';

export const initialAccountState = (): AccountState => ({
  status: 'none',
  terms: null,
  periodEndsAtMs: 0,
  allocated: 0n,
  reserved: 0n,
  committed: 0n,
  overrun: 0n,
  blocked: false,
  thresholdsCrossed: [],
  allocationIds: [],
  byClass: {},
  pending: {},
  pendingCount: 0,
  recent: [],
});

function addToClass(
  state: AccountState,
  className: string | null,
  change: Partial<ClassTotals>,
): AccountState['byClass'] {
  if (className === null) return state.byClass;
  const current = lookup(state.byClass, className) ?? { reserved: 0n, committed: 0n };
  return withEntry(state.byClass, className, {
    reserved: current.reserved + (change.reserved ?? 0n),
    committed: current.committed + (change.committed ?? 0n),
  });
}

function pendingOf(
  state: AccountState,
  reservationId: string,
  amountText: string,
): PendingReservation {
  const pending = lookup(state.pending, reservationId);
  invariant(pending !== undefined, 'outcome of a reservation that is not pending', {
    reservationId,
  });
  invariant(
    pending.amount === amountOf(amountText, 'amount'),
    'outcome amount differs from the reservation',
    {
      reservationId,
    },
  );
  return pending;
}

/** Removes a pending reservation, remembering its outcome in the bounded recent window. */
function finalise(
  state: AccountState,
  reservationId: string,
  pending: PendingReservation,
  outcome: FinalOutcome,
  committedAmount: bigint,
): AccountState {
  const recent = [
    ...state.recent,
    {
      reservationId,
      outcome,
      amount: pending.amount,
      useCase: pending.useCase,
      timeoutMs: pending.timeoutMs,
      committedAmount,
    },
  ];
  return {
    ...state,
    pending: withoutEntry(state.pending, reservationId),
    pendingCount: state.pendingCount - 1,
    reserved: state.reserved - pending.amount,
    committed: state.committed + committedAmount,
    byClass: addToClass(state, pending.className, {
      reserved: -pending.amount,
      committed: committedAmount,
    }),
    recent: recent.length > DOMAIN_LIMITS.recentOutcomes ? recent.slice(1) : recent,
  };
}

type EventOf<Type extends AccountEvent['type']> = Extract<AccountEvent, { type: Type }>;

function onReserved(state: AccountState, { data }: EventOf<'QuotaReserved'>): AccountState {
  invariant(lookup(state.pending, data.reservationId) === undefined, 'reservation reserved twice', {
    reservationId: data.reservationId,
  });
  const amount = amountOf(data.amount, 'amount');
  const pending: PendingReservation = {
    amount,
    useCase: data.useCase,
    className: data.usefulnessClass,
    timeoutMs: data.timeoutMs,
    expiresAtMs: Date.parse(data.expiresAt),
  };
  return {
    ...state,
    pending: withEntry(state.pending, data.reservationId, pending),
    pendingCount: state.pendingCount + 1,
    reserved: state.reserved + amount,
    byClass: addToClass(state, data.usefulnessClass, { reserved: amount }),
  };
}

function onDebited(state: AccountState, { data }: EventOf<'UsageDebited'>): AccountState {
  const amount = amountOf(data.amount, 'amount');
  const overrunAmount = amountOf(data.overrunAmount, 'overrunAmount');
  invariant(overrunAmount <= amount, 'overrun larger than the usage', { usageId: data.usageId });
  return {
    ...state,
    committed: state.committed + amount,
    overrun: state.overrun + overrunAmount,
    byClass: addToClass(state, data.usefulnessClass, { committed: amount }),
  };
}

function onOutcome(
  state: AccountState,
  event: EventOf<'ReservationCommitted' | 'ReservationReleased' | 'ReservationExpired'>,
): AccountState {
  const { reservationId } = event.data;
  if (event.type === 'ReservationCommitted') {
    const pending = pendingOf(state, reservationId, event.data.reservedAmount);
    const committed = amountOf(event.data.committedAmount, 'committedAmount');
    return finalise(state, reservationId, pending, 'committed', committed);
  }
  const pending = pendingOf(state, reservationId, event.data.amount);
  const outcome = event.type === 'ReservationReleased' ? 'released' : 'expired';
  return finalise(state, reservationId, pending, outcome, 0n);
}

function apply(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened': {
      invariant(state.status === 'none', 'account opened twice', { unitId: event.data.unitId });
      const periodEndsAtMs = Date.parse(event.data.periodEndsAt);
      return { ...state, status: 'open', terms: event.data, periodEndsAtMs };
    }
    case 'QuotaAllocated': {
      const allocated = state.allocated + amountOf(event.data.amount, 'amount');
      return {
        ...state,
        allocated,
        allocationIds: [...state.allocationIds, event.data.allocationId],
      };
    }
    case 'QuotaReserved':
      return onReserved(state, event);
    case 'ReservationCommitted':
    case 'ReservationReleased':
    case 'ReservationExpired':
      return onOutcome(state, event);
    case 'UsageDebited':
      return onDebited(state, event);
    case 'OverrunRecorded': {
      // Announces the overrun its UsageDebited already recorded; the totals must agree.
      const agrees = amountOf(event.data.overrun, 'overrun') === state.overrun;
      invariant(agrees, 'overrun total disagrees with the account', {
        usageId: event.data.usageId,
      });
      return state;
    }
    case 'UnitBlocked':
    case 'UnitUnblocked':
      return { ...state, blocked: event.type === 'UnitBlocked' };
    case 'ThresholdCrossed': {
      const thresholdsCrossed = [...state.thresholdsCrossed, event.data.thresholdBasisPoints];
      return { ...state, thresholdsCrossed };
    }
    case 'QuotaTransferredIn':
      return { ...state, allocated: state.allocated + amountOf(event.data.amount, 'amount') };
    case 'QuotaTransferredOut':
    case 'QuotaReclaimed':
      return { ...state, allocated: state.allocated - amountOf(event.data.amount, 'amount') };
    case 'AccountClosed':
      invariant(state.pendingCount === 0, 'account closed with pending reservations', {
        unitId: event.data.unitId,
      });
      return { ...state, status: 'closed' };
    default:
      return unreachable(event, 'account event');
  }
}

/** Folds one event and asserts the account's invariants on the result (the read-side half of the pair). */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const next = apply(state, event);
  assertAccountInvariants(next);
  return next;
}
