// Quota moving in and out of an account: allocation rounds, transfers between units of the same
// budget, reclaims by a lowered ceiling, and the close of the period. Only unused quota moves out.
import { isDimension } from '@plafond/contracts';
import { validateThresholds } from '../budget/budget.decide';
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { amountText, invalid, requireAmount, requireId, requireText } from '../shared/values';
import { availableOf } from './account.invariants';
import { Emission, refOf, requireAccount, requireOpenAccount } from './account.support';
import type {
  AccountEvent,
  AccountState,
  AccountTerms,
  TransferInData,
  TransferOutData,
} from './account.types';

function validateTerms(terms: AccountTerms): AccountTerms {
  const periodEndsAt = terms?.periodEndsAt;
  if (typeof periodEndsAt !== 'string' || Number.isNaN(Date.parse(periodEndsAt)))
    invalid('terms.periodEndsAt', 'must be an ISO instant');
  if (!isDimension(terms.dimension)) invalid('terms.dimension', 'is not a known dimension');
  if (terms.mode !== 'hard' && terms.mode !== 'soft') invalid('terms.mode', 'must be hard or soft');
  return {
    budgetId: requireId(terms.budgetId, 'terms.budgetId'),
    unitId: requireId(terms.unitId, 'terms.unitId'),
    dimension: terms.dimension,
    mode: terms.mode,
    thresholdsBasisPoints: validateThresholds(terms.thresholdsBasisPoints),
    periodEndsAt,
  };
}

export function openAccount(emission: Emission, terms: AccountTerms): void {
  emission.emit({ type: 'AccountOpened', data: validateTerms(terms) });
}

/** Quota coming in lifts an overrun block once something is available again. */
function unblockIfAvailable(
  emission: Emission,
  reason: 'quota_transferred_in' | 'quota_allocated',
): void {
  if (emission.state.blocked && availableOf(emission.state) > 0n)
    emission.emit({ type: 'UnitUnblocked', data: { ...refOf(emission.state), reason } });
}

function requireUnused(state: AccountState, amount: bigint): void {
  const available = availableOf(state);
  if (amount > available)
    refuse(DOMAIN_ERROR_CODES.insufficientUnused, 'the unit has less unused quota than requested', {
      ...refOf(state),
      available: available.toString(),
      requested: amount.toString(),
    });
}

export function allocate(
  state: AccountState,
  data: { allocationId: string; amount: bigint; terms: AccountTerms },
  now: Date,
): AccountEvent[] {
  const emission = new Emission(state);
  if (state.status === 'none') openAccount(emission, data.terms);
  requireOpenAccount(emission.state, now);
  const allocationId = requireId(data.allocationId, 'allocationId');
  const amount = requireAmount(data.amount, 'amount');
  if (emission.state.allocationIds.includes(allocationId)) return []; // a retry
  if (emission.state.allocationIds.length >= DOMAIN_LIMITS.allocationRounds)
    refuse(DOMAIN_ERROR_CODES.allocationLimitExceeded, 'too many allocation rounds', {
      limit: DOMAIN_LIMITS.allocationRounds,
    });
  emission.emit({
    type: 'QuotaAllocated',
    data: {
      ...refOf(emission.state),
      allocationId,
      amount: amountText(amount),
      allocated: amountText(emission.state.allocated + amount),
    },
  });
  unblockIfAvailable(emission, 'quota_allocated');
  return emission.events;
}

function transferFields(data: {
  transferId: string;
  amount: bigint;
  reason: string;
  actor: string;
}) {
  return {
    transferId: requireId(data.transferId, 'transferId'),
    amount: requireAmount(data.amount, 'amount', true),
    reason: requireText(data.reason, 'reason', DOMAIN_LIMITS.reasonLength),
    actor: requireText(data.actor, 'actor', DOMAIN_LIMITS.nameLength),
  };
}

export function transferOut(state: AccountState, data: TransferOutData, now: Date): AccountEvent[] {
  requireOpenAccount(state, now);
  const { transferId, amount, reason, actor } = transferFields(data);
  const toUnitId = requireId(data.toUnitId, 'toUnitId');
  requireUnused(state, amount);
  return [
    {
      type: 'QuotaTransferredOut',
      data: { ...refOf(state), transferId, toUnitId, amount: amountText(amount), reason, actor },
    },
  ];
}

export function transferIn(state: AccountState, data: TransferInData, now: Date): AccountEvent[] {
  requireOpenAccount(state, now);
  const { transferId, amount, reason, actor } = transferFields(data);
  const fromUnitId = requireId(data.fromUnitId, 'fromUnitId');
  const emission = new Emission(state);
  emission.emit({
    type: 'QuotaTransferredIn',
    data: { ...refOf(state), transferId, fromUnitId, amount: amountText(amount), reason, actor },
  });
  unblockIfAvailable(emission, 'quota_transferred_in');
  return emission.events;
}

/** A lowered ceiling takes back part of the unit's unused quota (see budget/reclaim.ts). */
export function reclaim(
  state: AccountState,
  data: { reclaimId: string; amount: bigint },
): AccountEvent[] {
  requireAccount(state);
  const reclaimId = requireId(data.reclaimId, 'reclaimId');
  const amount = requireAmount(data.amount, 'amount', true);
  requireUnused(state, amount);
  return [
    { type: 'QuotaReclaimed', data: { ...refOf(state), reclaimId, amount: amountText(amount) } },
  ];
}

/** Pending reservations are released (in id order) before the close: each gets its one outcome. */
export function close(state: AccountState): AccountEvent[] {
  requireAccount(state);
  if (state.status === 'closed') return [];
  const emission = new Emission(state);
  const ref = refOf(state);
  for (const reservationId of Object.keys(state.pending).sort()) {
    const pending = state.pending[reservationId];
    if (pending === undefined) continue;
    emission.emit({
      type: 'ReservationReleased',
      data: {
        ...ref,
        reservationId,
        amount: amountText(pending.amount),
        usefulnessClass: pending.className,
        reason: 'period_closed',
      },
    });
  }
  const { allocated, committed, overrun } = emission.state;
  emission.emit({
    type: 'AccountClosed',
    data: {
      ...ref,
      allocated: amountText(allocated),
      committed: amountText(committed),
      overrun: amountText(overrun),
    },
  });
  return emission.events;
}
