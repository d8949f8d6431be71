// Two-phase reservations, as TigerBeetle's pending transfers: a pending amount is committed
// (with at most the reserved amount, the rest released), released or expired — exactly once,
// never edited. The client chooses the id and a retry reuses it.
import { checkClassRule, validateClassRule } from '../catalog/class-rule';
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup } from '../shared/records';
import { amountText, invalid, requireAmount, requireId } from '../shared/values';
import { availableOf, usedInAllocationOf } from './account.invariants';
import {
  Emission,
  alreadyFinalised,
  emitThresholdCrossings,
  findReservation,
  notFound,
  refOf,
  requireAccount,
  requireOpenAccount,
} from './account.support';
import type { AccountEvent, AccountState, ReserveData } from './account.types';

const sameRequest = (
  known: { amount: bigint; useCase: string; timeoutMs: number },
  data: { amount: bigint; useCase: string; timeoutMs: number },
): boolean =>
  known.amount === data.amount &&
  known.useCase === data.useCase &&
  known.timeoutMs === data.timeoutMs;

function requireTimeout(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > DOMAIN_LIMITS.reservationTimeoutMaxMs
  )
    invalid('timeoutMs', `must be an integer in 1..${DOMAIN_LIMITS.reservationTimeoutMaxMs}`);
  return value;
}

function quotaFigures(state: AccountState, amount: bigint) {
  return {
    ...refOf(state),
    requested: amount.toString(),
    available: availableOf(state).toString(),
    allocated: state.allocated.toString(),
    reserved: state.reserved.toString(),
    committed: state.committed.toString(),
  };
}

/**
 * True when the id is known with the same request: the original answer stands (even once the
 * period ended or the unit was blocked). The same id with another request is a conflict.
 */
function isRetry(
  state: AccountState,
  reservationId: string,
  request: { amount: bigint; useCase: string; timeoutMs: number },
): boolean {
  const known = findReservation(state, reservationId);
  if (known.kind === 'unknown') return false;
  const original = known.kind === 'pending' ? known.pending : known.outcome;
  if (sameRequest(original, request)) return true;
  refuse(
    DOMAIN_ERROR_CODES.idempotencyConflict,
    `reservation "${reservationId}" was made with another request`,
    { reservationId },
  );
}

export function reserve(state: AccountState, data: ReserveData, now: Date): AccountEvent[] {
  requireAccount(state);
  const reservationId = requireId(data.reservationId, 'reservationId');
  const amount = requireAmount(data.amount, 'amount', true);
  const useCase = requireId(data.useCase, 'useCase');
  const timeoutMs = requireTimeout(data.timeoutMs);
  const className = requireId(data.usefulnessClass?.className, 'usefulnessClass.className');
  const rule = validateClassRule(data.usefulnessClass.rule, 'usefulnessClass.rule');
  const request = { amount, useCase, timeoutMs };
  if (isRetry(state, reservationId, request)) return [];
  requireOpenAccount(state, now);
  if (state.blocked)
    refuse(
      DOMAIN_ERROR_CODES.unitBlocked,
      'the unit overran its allocation; transfer quota in to unblock it',
      {
        ...quotaFigures(state, amount),
        overrun: state.overrun.toString(),
      },
    );
  const classUsed = lookup(state.byClass, className);
  checkClassRule(className, rule, {
    allocated: state.allocated,
    usedInAllocation: usedInAllocationOf(state),
    classUsed: classUsed === undefined ? 0n : classUsed.reserved + classUsed.committed,
    available: availableOf(state),
    amount,
  });
  if (amount > availableOf(state))
    refuse(
      DOMAIN_ERROR_CODES.quotaExceeded,
      'not enough quota available',
      quotaFigures(state, amount),
    );
  if (state.pendingCount >= DOMAIN_LIMITS.pendingReservations)
    refuse(DOMAIN_ERROR_CODES.tooManyPending, 'too many pending reservations on this unit', {
      ...refOf(state),
      limit: DOMAIN_LIMITS.pendingReservations,
    });
  const expiresAt = new Date(now.getTime() + timeoutMs).toISOString();
  const available = amountText(availableOf(state) - amount);
  const reserved = {
    ...refOf(state),
    reservationId,
    amount: amountText(amount),
    useCase,
    usefulnessClass: className,
    timeoutMs,
    expiresAt,
    available,
  };
  return [{ type: 'QuotaReserved', data: reserved }];
}

export function commit(
  state: AccountState,
  data: { reservationId: string; amount: bigint },
  now: Date,
): AccountEvent[] {
  requireAccount(state);
  const reservationId = requireId(data.reservationId, 'reservationId');
  const amount = requireAmount(data.amount, 'amount');
  const known = findReservation(state, reservationId);
  if (known.kind === 'unknown') notFound(reservationId);
  if (known.kind === 'finalised') {
    if (known.outcome.outcome === 'committed' && known.outcome.committedAmount === amount)
      return [];
    alreadyFinalised(reservationId, known.outcome);
  }
  const { pending } = known;
  if (amount > pending.amount)
    refuse(DOMAIN_ERROR_CODES.commitExceedsReserved, 'a commit cannot exceed the reserved amount', {
      reservationId,
      reserved: pending.amount.toString(),
      requested: amount.toString(),
    });
  if (now.getTime() >= pending.expiresAtMs)
    refuse(
      DOMAIN_ERROR_CODES.reservationExpired,
      `reservation "${reservationId}" has passed its deadline`,
      {
        reservationId,
        expiresAt: new Date(pending.expiresAtMs).toISOString(),
      },
    );
  const emission = new Emission(state);
  emission.emit({
    type: 'ReservationCommitted',
    data: {
      ...refOf(state),
      reservationId,
      reservedAmount: amountText(pending.amount),
      committedAmount: amountText(amount),
      releasedAmount: amountText(pending.amount - amount),
      usefulnessClass: pending.className,
      usageId: null,
    },
  });
  emitThresholdCrossings(emission);
  return emission.events;
}

export function release(state: AccountState, data: { reservationId: string }): AccountEvent[] {
  requireAccount(state);
  const reservationId = requireId(data.reservationId, 'reservationId');
  const known = findReservation(state, reservationId);
  if (known.kind === 'unknown') notFound(reservationId);
  if (known.kind === 'finalised') {
    if (known.outcome.outcome === 'released') return [];
    alreadyFinalised(reservationId, known.outcome);
  }
  const { amount, className } = known.pending;
  const released = {
    ...refOf(state),
    reservationId,
    amount: amountText(amount),
    usefulnessClass: className,
    reason: 'released' as const,
  };
  return [{ type: 'ReservationReleased', data: released }];
}

export function expire(
  state: AccountState,
  data: { reservationId: string },
  now: Date,
): AccountEvent[] {
  requireAccount(state);
  const reservationId = requireId(data.reservationId, 'reservationId');
  const known = findReservation(state, reservationId);
  if (known.kind === 'unknown') notFound(reservationId);
  if (known.kind === 'finalised') {
    if (known.outcome.outcome === 'expired') return [];
    alreadyFinalised(reservationId, known.outcome);
  }
  const expiresAt = new Date(known.pending.expiresAtMs).toISOString();
  if (now.getTime() < known.pending.expiresAtMs)
    refuse(
      DOMAIN_ERROR_CODES.reservationNotExpired,
      `reservation "${reservationId}" has not reached its deadline`,
      {
        reservationId,
        expiresAt,
      },
    );
  const { amount, className } = known.pending;
  return [
    {
      type: 'ReservationExpired',
      data: {
        ...refOf(state),
        reservationId,
        amount: amountText(amount),
        usefulnessClass: className,
        expiresAt,
      },
    },
  ];
}
