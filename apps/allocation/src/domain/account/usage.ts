// Debits from usage. Usage happened, so it is always recorded: with a pending reservation it
// commits it; otherwise (no reservation, or one already expired, released or committed) it is
// debited directly and flagged. What passes the allocation is an overrun: recorded, announced,
// and — in a hard budget — the unit is blocked for new reservations.
import { DOMAIN_LIMITS } from '../shared/limits';
import { amountText, minAmount, requireAmount, requireId, requireText } from '../shared/values';
import { availableOf } from './account.invariants';
import {
  Emission,
  emitThresholdCrossings,
  findReservation,
  refOf,
  requireAccount,
} from './account.support';
import { openAccount } from './quota';
import type { AccountEvent, AccountState, DebitFlag, RecordUsageData } from './account.types';

interface Debit {
  usageId: string;
  useCase: string;
  usefulnessClass: string | null;
  reservationId: string | null;
  occurredAt: string | null;
}

function debitDirectly(
  emission: Emission,
  debit: Debit,
  amount: bigint,
  flag: DebitFlag | null,
): void {
  const before = emission.state;
  const overrunAmount = amount > availableOf(before) ? amount - availableOf(before) : 0n;
  emission.emit({
    type: 'UsageDebited',
    data: {
      ...refOf(before),
      ...debit,
      amount: amountText(amount),
      overrunAmount: amountText(overrunAmount),
      flag,
    },
  });
  if (overrunAmount === 0n) return;
  const after = emission.state;
  emission.emit({
    type: 'OverrunRecorded',
    data: {
      ...refOf(after),
      usageId: debit.usageId,
      amount: amountText(overrunAmount),
      overrun: amountText(after.overrun),
      allocated: amountText(after.allocated),
      committed: amountText(after.committed),
    },
  });
  if (after.terms?.mode === 'hard' && after.status === 'open' && !after.blocked)
    emission.emit({ type: 'UnitBlocked', data: { ...refOf(after), reason: 'overrun' } });
}

function settleWithReservation(
  emission: Emission,
  debit: Debit & { reservationId: string },
  amount: bigint,
  now: Date,
): void {
  const known = findReservation(emission.state, debit.reservationId);
  if (known.kind === 'unknown')
    return debitDirectly(emission, debit, amount, 'reservation_unknown');
  if (known.kind === 'finalised') {
    const flag = `reservation_${known.outcome.outcome}` as const;
    return debitDirectly(emission, debit, amount, flag);
  }
  const { pending } = known;
  const ref = refOf(emission.state);
  const reserved = {
    reservationId: debit.reservationId,
    amount: amountText(pending.amount),
    usefulnessClass: pending.className,
  };
  if (now.getTime() >= pending.expiresAtMs) {
    // Past its deadline the reservation can only expire; the usage is debited on its own.
    emission.emit({
      type: 'ReservationExpired',
      data: { ...ref, ...reserved, expiresAt: new Date(pending.expiresAtMs).toISOString() },
    });
    return debitDirectly(emission, debit, amount, 'reservation_expired');
  }
  const committed = minAmount(amount, pending.amount);
  emission.emit({
    type: 'ReservationCommitted',
    data: {
      ...ref,
      reservationId: debit.reservationId,
      reservedAmount: reserved.amount,
      committedAmount: amountText(committed),
      releasedAmount: amountText(pending.amount - committed),
      usefulnessClass: pending.className,
      usageId: debit.usageId,
    },
  });
  if (amount > committed)
    debitDirectly(emission, debit, amount - committed, 'exceeded_reservation');
}

export function recordUsage(state: AccountState, data: RecordUsageData, now: Date): AccountEvent[] {
  const emission = new Emission(state);
  if (state.status === 'none' && data.terms !== undefined) openAccount(emission, data.terms);
  requireAccount(emission.state);
  const amount = requireAmount(data.amount, 'amount');
  const debit: Debit = {
    usageId: requireId(data.usageId, 'usageId'),
    useCase: requireId(data.useCase, 'useCase'),
    usefulnessClass:
      data.usefulnessClass === null ? null : requireId(data.usefulnessClass, 'usefulnessClass'),
    reservationId:
      data.reservationId === undefined ? null : requireId(data.reservationId, 'reservationId'),
    occurredAt:
      data.occurredAt === undefined
        ? null
        : requireText(data.occurredAt, 'occurredAt', DOMAIN_LIMITS.nameLength),
  };
  if (debit.reservationId === null) debitDirectly(emission, debit, amount, null);
  else
    settleWithReservation(emission, { ...debit, reservationId: debit.reservationId }, amount, now);
  emitThresholdCrossings(emission);
  return emission.events;
}
