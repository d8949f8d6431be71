// Random account commands for the property tests. Outcome commands (commit, release, expire,
// usage with a reservation) name a reservation by `pick`, resolved when the sequence runs against
// the ids reserved so far, so most of them hit a real reservation instead of RESERVATION.NOT_FOUND.
import fc from 'fast-check';
import type { AccountCommand, AccountState } from '../account/account.types';
import type { ClassRule } from '../catalog/catalog.types';
import { lookup } from '../shared/records';

const rules: ClassRule[] = [
  { kind: 'allowed' },
  { kind: 'allowed' },
  { kind: 'allowed', capShareBasisPoints: 3_000 },
  { kind: 'allowed', shedAboveUtilisationBasisPoints: 7_000 },
  { kind: 'prohibited' },
];

export type Step =
  | {
      kind: 'reserve';
      advanceMs: number;
      id: number;
      amount: bigint;
      rule: number;
      timeoutMs: number;
    }
  | { kind: 'commit'; advanceMs: number; pick: number; basisPoints: number }
  | { kind: 'release' | 'expire'; advanceMs: number; pick: number }
  | { kind: 'usage'; advanceMs: number; pick: number | null; amount: bigint; usage: number }
  | { kind: 'transferIn' | 'transferOut' | 'reclaim'; advanceMs: number; amount: bigint };

const advanceMs = fc.integer({ min: 0, max: 40_000 });
const pick = fc.nat(1_000);
const quota = fc.bigInt({ min: 1n, max: 300n });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      advanceMs,
      id: fc.nat(40),
      amount: fc.bigInt({ min: 1n, max: 150n }),
      rule: fc.nat(rules.length - 1),
      timeoutMs: fc.integer({ min: 1, max: 90_000 }),
    }),
  },
  {
    weight: 4,
    // Up to 110 %: some commits ask for more than was reserved.
    arbitrary: fc.record({
      kind: fc.constant('commit' as const),
      advanceMs,
      pick,
      basisPoints: fc.nat(11_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), advanceMs, pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), advanceMs, pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('usage' as const),
      advanceMs,
      pick: fc.option(pick, { nil: null }),
      amount: fc.bigInt({ min: 0n, max: 200n }),
      usage: fc.nat(1_000_000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('transferIn' as const, 'transferOut' as const, 'reclaim' as const),
      advanceMs,
      amount: quota,
    }),
  },
);

export const stepsArb = (maxLength: number): fc.Arbitrary<Step[]> =>
  fc.array(stepArb, { minLength: 5, maxLength, size: 'max' });

export const initialAllocationArb = fc.bigInt({ min: 0n, max: 1_500n });

const moves = { transferId: 't', reason: 'rebalance', actor: 'alice' };

/** The command a step stands for, given the ids reserved so far (oldest first) and the state. */
export function toCommand(
  step: Step,
  reservedIds: readonly string[],
  state: AccountState,
): Omit<AccountCommand, 'metadata'> {
  const chosen = (index: number) =>
    reservedIds[index % Math.max(1, reservedIds.length)] ?? 'never-reserved';
  switch (step.kind) {
    case 'reserve':
      return {
        type: 'ReserveQuota',
        data: {
          reservationId: `r${step.id}`,
          amount: step.amount,
          useCase: 'chat',
          usefulnessClass: { className: `c${step.rule}`, rule: rules[step.rule] as ClassRule },
          timeoutMs: step.timeoutMs,
        },
      };
    case 'commit': {
      const reservationId = chosen(step.pick);
      const reserved = lookup(state.pending, reservationId)?.amount ?? 100n;
      return {
        type: 'CommitReservation',
        data: { reservationId, amount: (reserved * BigInt(step.basisPoints)) / 10_000n },
      };
    }
    case 'release':
      return { type: 'ReleaseReservation', data: { reservationId: chosen(step.pick) } };
    case 'expire':
      return { type: 'ExpireReservation', data: { reservationId: chosen(step.pick) } };
    case 'usage': {
      const reservation = step.pick === null ? {} : { reservationId: chosen(step.pick) };
      const data = {
        usageId: `u${step.usage}`,
        amount: step.amount,
        useCase: 'chat',
        usefulnessClass: 'c0',
        ...reservation,
      };
      return { type: 'RecordUsage', data };
    }
    case 'transferIn':
      return {
        type: 'TransferQuotaIn',
        data: { ...moves, fromUnitId: 'other', amount: step.amount },
      };
    case 'transferOut':
      return {
        type: 'TransferQuotaOut',
        data: { ...moves, toUnitId: 'other', amount: step.amount },
      };
    case 'reclaim':
      return { type: 'ReclaimQuota', data: { reclaimId: 'c', amount: step.amount } };
  }
}
