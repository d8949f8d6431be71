// Random sequences of account commands: whatever is granted or refused, committed + reserved never
// exceeds allocated except by overruns recorded in OverrunRecorded events, and every reservation
// gets exactly one outcome. The figures are tallied from the events, independently of the state.
import fc from 'fast-check';
import { foldBalances } from '../balance/balance';
import { isDomainError } from '../shared/domain-error';
import type { Step } from '../testing/account.arbitraries';
import { initialAllocationArb, stepsArb, toCommand } from '../testing/account.arbitraries';
import { NOW, command, terms } from '../testing/fixtures';
import { decideAccount } from './account.decide';
import { evolveAccount, initialAccountState } from './account.evolve';
import type { AccountCommand, AccountEvent, AccountState } from './account.types';

const RUNS = { numRuns: 200 };

interface Tally {
  allocated: bigint;
  reserved: bigint;
  committed: bigint;
  overrun: bigint;
  reservations: Map<string, number>;
  outcomes: Map<string, number>;
  pending: Map<string, bigint>;
}

const newTally = (): Tally => ({
  allocated: 0n,
  reserved: 0n,
  committed: 0n,
  overrun: 0n,
  reservations: new Map(),
  outcomes: new Map(),
  pending: new Map(),
});

const increment = (counts: Map<string, number>, key: string) =>
  counts.set(key, (counts.get(key) ?? 0) + 1);

function settle(tally: Tally, reservationId: string, reserved: bigint): void {
  increment(tally.outcomes, reservationId);
  expect(tally.pending.get(reservationId)).toBe(reserved); // an outcome only for a pending reservation
  tally.pending.delete(reservationId);
  tally.reserved -= reserved;
}

function tallyEvent(tally: Tally, event: AccountEvent): void {
  switch (event.type) {
    case 'QuotaAllocated':
    case 'QuotaTransferredIn':
      tally.allocated += BigInt(event.data.amount);
      return;
    case 'QuotaTransferredOut':
    case 'QuotaReclaimed':
      tally.allocated -= BigInt(event.data.amount);
      return;
    case 'QuotaReserved':
      increment(tally.reservations, event.data.reservationId);
      tally.pending.set(event.data.reservationId, BigInt(event.data.amount));
      tally.reserved += BigInt(event.data.amount);
      return;
    case 'ReservationCommitted':
      settle(tally, event.data.reservationId, BigInt(event.data.reservedAmount));
      tally.committed += BigInt(event.data.committedAmount);
      return;
    case 'ReservationReleased':
    case 'ReservationExpired':
      settle(tally, event.data.reservationId, BigInt(event.data.amount));
      return;
    case 'UsageDebited':
      tally.committed += BigInt(event.data.amount);
      return;
    case 'OverrunRecorded':
      tally.overrun += BigInt(event.data.amount);
      return;
    default:
      return;
  }
}

function run(initial: bigint, steps: readonly Step[]) {
  const tally = newTally();
  const log: AccountEvent[] = [];
  const refusals = new Map<string, number>();
  let state: AccountState = initialAccountState();
  let now = NOW;
  const apply = (events: AccountEvent[]) => {
    for (const event of events) {
      state = evolveAccount(state, event);
      tallyEvent(tally, event);
      log.push(event);
    }
    // The invariant, on figures tallied from the events alone.
    expect(tally.committed + tally.reserved <= tally.allocated + tally.overrun).toBe(true);
  };
  const terms_ = terms();
  apply(
    decideAccount(
      command('AllocateQuota', { allocationId: 'a', amount: initial, terms: terms_ }),
      state,
    ),
  );
  for (const step of steps) {
    now = new Date(now.getTime() + step.advanceMs);
    const body = toCommand(step, [...tally.reservations.keys()], state);
    try {
      apply(decideAccount({ ...body, metadata: { now } } as AccountCommand, state));
    } catch (error) {
      if (!isDomainError(error)) throw error; // a refusal is fine; a broken invariant is not
      increment(refusals, error.code);
    }
  }
  const close = () => apply(decideAccount(command('CloseAccount', {}, now), state));
  return { tally, log, refusals, close, state: () => state };
}

describe('account stream properties', () => {
  it('never lets committed + reserved pass allocated except by recorded overruns', () => {
    fc.assert(
      fc.property(initialAllocationArb, stepsArb(60), (initial, steps) => {
        const { tally, state } = run(initial, steps);
        const { allocated, reserved, committed, overrun } = state();
        expect({ allocated, reserved, committed, overrun }).toEqual({
          allocated: tally.allocated,
          reserved: tally.reserved,
          committed: tally.committed,
          overrun: tally.overrun,
        });
      }),
      RUNS,
    );
  });

  it('gives every reservation exactly one outcome', () => {
    fc.assert(
      fc.property(initialAllocationArb, stepsArb(60), (initial, steps) => {
        const outcome = run(initial, steps);
        outcome.close();
        const { tally } = outcome;
        for (const [reservationId, count] of tally.reservations) {
          expect({ reservationId, count }).toEqual({ reservationId, count: 1 });
          expect({ reservationId, outcomes: tally.outcomes.get(reservationId) }).toEqual({
            reservationId,
            outcomes: 1,
          });
        }
        expect(tally.pending.size).toBe(0);
        expect(tally.reserved).toBe(0n);
      }),
      RUNS,
    );
  });

  it('folds into the same balance as the account state', () => {
    fc.assert(
      fc.property(initialAllocationArb, stepsArb(40), (initial, steps) => {
        const { log, state } = run(initial, steps);
        const { allocated, reserved, committed, overrun, blocked } = state();
        const balance = foldBalances(log).get(terms().budgetId)?.get(terms().unitId);
        expect(balance).toMatchObject({ allocated, reserved, committed, overrun, blocked });
      }),
      RUNS,
    );
  });

  it('exercises grants, every outcome and the refusals (a guard on the generators)', () => {
    const seen = new Map<string, number>();
    const refused = new Map<string, number>();
    for (const [initial, steps] of fc.sample(fc.tuple(initialAllocationArb, stepsArb(60)), {
      numRuns: 100,
      seed: 42,
    })) {
      const outcome = run(initial, steps);
      outcome.close();
      for (const event of outcome.log) increment(seen, event.type);
      for (const [code, count] of outcome.refusals)
        refused.set(code, (refused.get(code) ?? 0) + count);
    }
    for (const type of [
      'QuotaReserved',
      'ReservationCommitted',
      'ReservationReleased',
      'ReservationExpired',
      'OverrunRecorded',
      'UnitBlocked',
      'UnitUnblocked',
    ])
      expect({ type, atLeast20: (seen.get(type) ?? 0) >= 20 }).toEqual({ type, atLeast20: true });
    for (const code of [
      'QUOTA.EXCEEDED',
      'IDEMPOTENCY.CONFLICT',
      'RESERVATION.ALREADY_FINALISED',
      'RESERVATION.COMMIT_EXCEEDS_RESERVED',
    ])
      expect({ code, seen: refused.has(code) }).toEqual({ code, seen: true });
  });
});
