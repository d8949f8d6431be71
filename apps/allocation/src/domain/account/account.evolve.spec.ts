// The read-side half of the invariant pair: a stream that breaks the account's invariants (a bug
// or a tampered event) fails loudly when folded, instead of producing a plausible state.
import { ev, ref } from '../testing/fixtures';
import { evolveAccount, initialAccountState } from './account.evolve';
import type { AccountEvent } from './account.types';

const fold = (events: AccountEvent[]) => () => events.reduce(evolveAccount, initialAccountState());
const INVARIANT = 'ALLOCATION.INVARIANT_VIOLATED';

describe('evolveAccount assertions', () => {
  it('refuses a reservation beyond the allocation', () => {
    expect(fold([ev.opened(), ev.allocated(100n), ev.reserved('r1', 101n, 0n)])).toThrow(INVARIANT);
  });

  it('refuses usage beyond the allocation that no overrun records', () => {
    expect(fold([ev.opened(), ev.allocated(100n), ev.debited('u1', 101n)])).toThrow(INVARIANT);
    expect(
      fold([ev.opened(), ev.allocated(100n), ev.debited('u1', 101n, { overrun: 1n })]),
    ).not.toThrow();
  });

  it('refuses an overrun announcement that disagrees with the recorded total', () => {
    const debited = ev.debited('u1', 101n, { overrun: 1n });
    expect(
      fold([ev.opened(), ev.allocated(100n), debited, ev.overrun('u1', 1n, 2n, 100n, 101n)]),
    ).toThrow(INVARIANT);
  });

  it('refuses a second outcome, or an outcome of another amount', () => {
    const reserved = [ev.opened(), ev.allocated(100n), ev.reserved('r1', 50n, 50n)];
    expect(fold([...reserved, ev.released('r1', 50n), ev.expired('r1', 50n)])).toThrow(INVARIANT);
    expect(fold([...reserved, ev.committed('r1', 40n, 40n)])).toThrow(INVARIANT);
  });

  it('refuses moving out quota that is in use, and amounts that are not canonical integers', () => {
    expect(
      fold([ev.opened(), ev.allocated(100n), ev.debited('u1', 60n), ev.transferredOut('t1', 41n)]),
    ).toThrow(INVARIANT);
    const sloppy: AccountEvent = {
      type: 'QuotaAllocated',
      data: { ...ref, allocationId: 'a', amount: '01', allocated: '1' },
    };
    expect(fold([ev.opened(), sloppy])).toThrow(INVARIANT);
  });
});
