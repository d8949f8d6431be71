// Test helpers for the allocation deciders: commands with a fixed clock, and builders of the
// exact events the deciders emit, so given / when / then reads like the domain.
import type { AccountEvent, AccountTerms, DebitFlag } from '../account/account.types';
import type { ClassRule } from '../catalog/catalog.types';
import type { DomainError } from '../shared/domain-error';

export const NOW = new Date('2026-03-10T12:00:00.000Z');
export const PERIOD_ENDS_AT = '2026-04-01T00:00:00.000Z';

export const later = (ms: number, from: Date = NOW): Date => new Date(from.getTime() + ms);

/** A command as the deciders take it: `{ type, data, metadata: { now } }`. */
export function command<Type extends string, Data>(type: Type, data: Data, now: Date = NOW) {
  return { type, data, metadata: { now } };
}

/** The error a call throws, for assertions on code and details. */
export function caught(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected the call to throw');
}

export const ref = { budgetId: 'b-2026-03', unitId: 'team-a' };

export const terms = (overrides: Partial<AccountTerms> = {}): AccountTerms => ({
  ...ref,
  dimension: 'energy',
  mode: 'hard',
  thresholdsBasisPoints: [5_000, 8_000, 10_000],
  periodEndsAt: PERIOD_ENDS_AT,
  ...overrides,
});

export const allowed: ClassRule = { kind: 'allowed' };
export const standard = { className: 'standard', rule: allowed };

export const ev = {
  opened: (overrides: Partial<AccountTerms> = {}): AccountEvent => ({
    type: 'AccountOpened',
    data: terms(overrides),
  }),
  allocated: (amount: bigint, allocatedAfter = amount, allocationId = 'round-1'): AccountEvent => ({
    type: 'QuotaAllocated',
    data: { ...ref, allocationId, amount: String(amount), allocated: String(allocatedAfter) },
  }),
  reserved: (
    reservationId: string,
    amount: bigint,
    available: bigint,
    options: { className?: string; useCase?: string; timeoutMs?: number; now?: Date } = {},
  ): AccountEvent => {
    const timeoutMs = options.timeoutMs ?? 60_000;
    return {
      type: 'QuotaReserved',
      data: {
        ...ref,
        reservationId,
        amount: String(amount),
        useCase: options.useCase ?? 'chat',
        usefulnessClass: options.className ?? 'standard',
        timeoutMs,
        expiresAt: later(timeoutMs, options.now ?? NOW).toISOString(),
        available: String(available),
      },
    };
  },
  committed: (
    reservationId: string,
    reserved: bigint,
    committed: bigint,
    usageId: string | null = null,
    className = 'standard',
  ): AccountEvent => ({
    type: 'ReservationCommitted',
    data: {
      ...ref,
      reservationId,
      reservedAmount: String(reserved),
      committedAmount: String(committed),
      releasedAmount: String(reserved - committed),
      usefulnessClass: className,
      usageId,
    },
  }),
  released: (
    reservationId: string,
    amount: bigint,
    reason: 'released' | 'period_closed' = 'released',
  ): AccountEvent => ({
    type: 'ReservationReleased',
    data: { ...ref, reservationId, amount: String(amount), usefulnessClass: 'standard', reason },
  }),
  expired: (
    reservationId: string,
    amount: bigint,
    expiresAt: Date = later(60_000),
  ): AccountEvent => ({
    type: 'ReservationExpired',
    data: {
      ...ref,
      reservationId,
      amount: String(amount),
      usefulnessClass: 'standard',
      expiresAt: expiresAt.toISOString(),
    },
  }),
  debited: (
    usageId: string,
    amount: bigint,
    options: {
      overrun?: bigint;
      reservationId?: string;
      flag?: DebitFlag | null;
      className?: string | null;
    } = {},
  ): AccountEvent => ({
    type: 'UsageDebited',
    data: {
      ...ref,
      usageId,
      amount: String(amount),
      overrunAmount: String(options.overrun ?? 0n),
      useCase: 'chat',
      usefulnessClass: options.className === undefined ? 'standard' : options.className,
      reservationId: options.reservationId ?? null,
      flag: options.flag ?? null,
      occurredAt: null,
    },
  }),
  overrun: (
    usageId: string,
    amount: bigint,
    total: bigint,
    allocated: bigint,
    committed: bigint,
  ): AccountEvent => ({
    type: 'OverrunRecorded',
    data: {
      ...ref,
      usageId,
      amount: String(amount),
      overrun: String(total),
      allocated: String(allocated),
      committed: String(committed),
    },
  }),
  blocked: (): AccountEvent => ({ type: 'UnitBlocked', data: { ...ref, reason: 'overrun' } }),
  unblocked: (
    reason: 'quota_transferred_in' | 'quota_allocated' = 'quota_transferred_in',
  ): AccountEvent => ({
    type: 'UnitUnblocked',
    data: { ...ref, reason },
  }),
  threshold: (
    thresholdBasisPoints: number,
    committed: bigint,
    allocated: bigint,
  ): AccountEvent => ({
    type: 'ThresholdCrossed',
    data: {
      ...ref,
      thresholdBasisPoints,
      committed: String(committed),
      allocated: String(allocated),
    },
  }),
  transferredIn: (transferId: string, amount: bigint, fromUnitId = 'team-b'): AccountEvent => ({
    type: 'QuotaTransferredIn',
    data: {
      ...ref,
      transferId,
      fromUnitId,
      amount: String(amount),
      reason: 'rebalance',
      actor: 'alice',
    },
  }),
  transferredOut: (transferId: string, amount: bigint, toUnitId = 'team-b'): AccountEvent => ({
    type: 'QuotaTransferredOut',
    data: {
      ...ref,
      transferId,
      toUnitId,
      amount: String(amount),
      reason: 'rebalance',
      actor: 'alice',
    },
  }),
};
