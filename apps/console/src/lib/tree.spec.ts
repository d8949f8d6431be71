import type { UnitBalance, UnitNode } from '../api/types';
import { expandedToDepth, flattenTree, rollUp } from './tree';

const node = (unitId: string, parentId: string | null, children: UnitNode[] = []): UnitNode => ({
  unitId,
  parentId,
  name: unitId.toUpperCase(),
  archived: false,
  depth: 0,
  children,
});

const tree = node('org', null, [
  node('bu-a', 'org', [node('a1', 'bu-a'), node('a2', 'bu-a')]),
  node('bu-b', 'org'),
]);

function balance(unitId: string, allocated: string, committed: string, overrun = '0'): UnitBalance {
  const available = (BigInt(allocated) - BigInt(committed)).toString();
  const figures = { allocated, reserved: '0', committed, available, overrun };
  return { budgetId: 'b', unitId, blocked: false, closed: false, ...figures, subtree: figures };
}

describe('rollUp', () => {
  it('sums own figures exactly over each subtree, beyond 2^53', () => {
    const big = '9007199254740993'; // 2^53 + 1: a Number would round it
    const own = new Map(
      [
        balance('org', '10', '0'),
        balance('bu-a', '0', '0'),
        balance('a1', big, '1'),
        balance('a2', big, '2'),
        balance('bu-b', '5', '5'),
      ].map((b) => [b.unitId, b]),
    );
    const sums = rollUp(tree, own);
    expect(sums.get('bu-a')?.allocated).toBe('18014398509481986');
    expect(sums.get('bu-a')?.committed).toBe('3');
    expect(sums.get('org')?.allocated).toBe('18014398509482001');
    expect(sums.get('bu-b')?.available).toBe('0');
  });

  it('counts a unit without a balance row as zero', () => {
    const sums = rollUp(tree, new Map([['a1', balance('a1', '7', '0')]]));
    expect(sums.get('org')?.allocated).toBe('7');
    expect(sums.get('bu-b')?.allocated).toBe('0');
  });
});

describe('flattenTree', () => {
  const balances = [
    balance('org', '10', '0'),
    balance('bu-a', '0', '0'),
    { ...balance('a1', '5', '7', '2'), blocked: true },
    balance('a2', '5', '1'),
    balance('bu-b', '5', '5'),
  ];

  it('lists visible rows depth-first with positions, hiding collapsed branches', () => {
    const rows = flattenTree(tree, balances, new Set(['org']));
    expect(rows.map((row) => [row.unitId, row.depth, row.position, row.siblings])).toEqual([
      ['org', 0, 1, 1],
      ['bu-a', 1, 1, 2],
      ['bu-b', 1, 2, 2],
    ]);
    const all = flattenTree(tree, balances, new Set(['org', 'bu-a']));
    expect(all.map((row) => row.unitId)).toEqual(['org', 'bu-a', 'a1', 'a2', 'bu-b']);
  });

  it('marks blocked and overrun units and the branches above them', () => {
    const rows = flattenTree(tree, balances, new Set(['org', 'bu-a']));
    const byId = new Map(rows.map((row) => [row.unitId, row]));
    expect(byId.get('a1')).toMatchObject({ blocked: true, overrun: true, blockedBelow: false });
    expect(byId.get('bu-a')).toMatchObject({
      blocked: false,
      blockedBelow: true,
      overrunBelow: true,
    });
    expect(byId.get('org')).toMatchObject({ blockedBelow: true, overrunBelow: true });
    expect(byId.get('bu-b')).toMatchObject({ blockedBelow: false, overrunBelow: false });
  });

  it('prefers the service subtree figures and falls back to the local roll-up', () => {
    const withSubtree = flattenTree(tree, balances, new Set(['org']));
    expect(withSubtree[0]?.rolledUp?.allocated).toBe('10'); // the row's own `subtree` as sent
    const noRows = flattenTree(tree, [], new Set(['org']));
    expect(noRows[0]?.rolledUp?.allocated).toBe('0');
    expect(noRows[0]?.own).toBeUndefined();
  });
});

describe('expandedToDepth', () => {
  it('opens parents above the given depth only', () => {
    expect([...expandedToDepth(tree, 1)]).toEqual(['org']);
    expect([...expandedToDepth(tree, 2)].sort()).toEqual(['bu-a', 'org']);
  });
});
