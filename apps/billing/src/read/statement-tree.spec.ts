import { rollUpTree, toCurrencyAmounts, type TreeUnit } from './statement-tree';

const unit = (unitId: string, parentId: string | null, name = unitId.toUpperCase()): TreeUnit => ({
  unitId,
  parentId,
  name,
  archived: false,
});

const amounts = (entries: [string, bigint][]): Map<string, bigint> => new Map(entries);

describe('rollUpTree', () => {
  it('sums own amounts up the subtree per currency, parents first, children by unit id', () => {
    // root ─┬─ b ── b1
    //       └─ a
    const units = [unit('root', 'org'), unit('b', 'root'), unit('a', 'root'), unit('b1', 'b')];
    const own = new Map([
      ['root', amounts([['EUR', 1_000_000n]])],
      [
        'a',
        amounts([
          ['EUR', 2_500_000n],
          ['CHF', 7n],
        ]),
      ],
      ['b1', amounts([['EUR', -300_000n]])],
    ]);

    const tree = rollUpTree('root', units, own);

    expect(tree).toEqual([
      {
        unitId: 'root',
        name: 'ROOT',
        parentId: 'org',
        depth: 0,
        archived: false,
        own: { EUR: '1000000' },
        subtree: { CHF: '7', EUR: '3200000' },
      },
      {
        unitId: 'a',
        name: 'A',
        parentId: 'root',
        depth: 1,
        archived: false,
        own: { CHF: '7', EUR: '2500000' },
        subtree: { CHF: '7', EUR: '2500000' },
      },
      {
        unitId: 'b',
        name: 'B',
        parentId: 'root',
        depth: 1,
        archived: false,
        own: {},
        subtree: { EUR: '-300000' },
      },
      {
        unitId: 'b1',
        name: 'B1',
        parentId: 'b',
        depth: 2,
        archived: false,
        own: { EUR: '-300000' },
        subtree: { EUR: '-300000' },
      },
    ]);
  });

  it('ignores units not reachable from the root and cuts cycles', () => {
    const units = [unit('root', null), unit('x', 'y'), unit('y', 'x'), unit('c', 'root')];
    const own = new Map([
      ['x', amounts([['EUR', 5n]])],
      ['c', amounts([['EUR', 1n]])],
    ]);
    const tree = rollUpTree('root', units, own);
    expect(tree.map((node) => [node.unitId, node.depth, node.subtree])).toEqual([
      ['root', 0, { EUR: '1' }],
      ['c', 1, { EUR: '1' }],
    ]);
  });

  it('renders a root unknown to the directory with a null name', () => {
    expect(rollUpTree('ghost', [], new Map([['ghost', amounts([['EUR', 3n]])]]))).toEqual([
      {
        unitId: 'ghost',
        name: null,
        parentId: null,
        depth: 0,
        archived: false,
        own: { EUR: '3' },
        subtree: { EUR: '3' },
      },
    ]);
  });
});

describe('toCurrencyAmounts', () => {
  it('orders currencies by code point and keeps exact integers', () => {
    expect(
      toCurrencyAmounts(
        amounts([
          ['USD', 9_007_199_254_740_993n],
          ['CHF', -1n],
        ]),
      ),
    ).toEqual({ CHF: '-1', USD: '9007199254740993' });
  });
});
