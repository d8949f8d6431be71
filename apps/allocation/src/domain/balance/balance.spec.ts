import type { AccountEvent } from '../account/account.types';
import type { SubtreeNode } from '../organisation/organisation.queries';
import { ev, ref } from '../testing/fixtures';
import { evolveUnitBalance, foldBalances, rollUpBalances, ZERO_TOTALS } from './balance';
import type { UnitBalance } from './balance';

const forUnit = (unitId: string, events: AccountEvent[]): AccountEvent[] =>
  events.map((event) => ({ ...event, data: { ...event.data, unitId } }) as AccountEvent);

const history = [
  ev.opened(),
  ev.allocated(1_000n),
  ev.reserved('r1', 400n, 600n),
  ev.committed('r1', 400n, 300n),
  ev.reserved('r2', 200n, 500n),
  ev.debited('u1', 600n, { overrun: 100n }),
  ev.overrun('u1', 100n, 100n, 1_000n, 900n),
  ev.blocked(),
];

describe('balance fold', () => {
  it('tracks allocated, reserved, committed, available and overrun per unit', () => {
    const balance = history.reduce<UnitBalance | null>(evolveUnitBalance, null);
    expect(balance).toEqual({
      ...ref,
      allocated: 1_000n,
      reserved: 200n,
      committed: 900n,
      available: 0n,
      overrun: 100n,
      blocked: true,
      closed: false,
    });
  });

  it('refuses events of an account that was never opened', () => {
    expect(() => evolveUnitBalance(null, ev.allocated(1n))).toThrow(
      'ALLOCATION.INVARIANT_VIOLATED',
    );
  });

  it('keeps accounts apart by budget and unit', () => {
    const rows = foldBalances([...history, ...forUnit('team-b', [ev.opened(), ev.allocated(50n)])]);
    expect(rows.get(ref.budgetId)?.get('team-b')).toMatchObject({ allocated: 50n, available: 50n });
    expect(rows.get(ref.budgetId)?.get('team-a')?.committed).toBe(900n);
  });
});

describe('rollUpBalances', () => {
  it('sums every subtree, parents included', () => {
    const node = (unitId: string, children: SubtreeNode[] = []): SubtreeNode => ({
      unitId,
      parentId: null,
      name: unitId,
      archived: false,
      depth: 0,
      children,
    });
    const tree = node('acme', [node('sales', [node('sales-eu')]), node('rnd')]);
    const rows = foldBalances([
      ...forUnit('acme', [ev.opened(), ev.allocated(100n)]),
      ...forUnit('sales', [ev.opened(), ev.allocated(300n), ev.debited('u1', 50n)]),
      ...forUnit('sales-eu', [ev.opened(), ev.allocated(200n), ev.reserved('r1', 20n, 180n)]),
      ...forUnit('rnd', [ev.opened(), ev.allocated(400n)]),
    ]).get(ref.budgetId);
    const rolled = rollUpBalances(tree, rows ?? new Map());
    expect(rolled.get('sales')?.subtree).toEqual({
      allocated: 500n,
      reserved: 20n,
      committed: 50n,
      available: 430n,
      overrun: 0n,
    });
    expect(rolled.get('acme')?.subtree).toEqual({
      allocated: 1_000n,
      reserved: 20n,
      committed: 50n,
      available: 930n,
      overrun: 0n,
    });
    expect(rolled.get('acme')?.own.allocated).toBe(100n);
    expect(rollUpBalances(node('ghost'), new Map()).get('ghost')?.subtree).toEqual(ZERO_TOTALS);
  });
});
