import { preview } from './allocate-tree';
import { ALLOCATION_LIMITS } from './limits';
import { reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationPolicy, AllocationTreeNode } from './types';

const tree: AllocationTreeNode = {
  unitId: 'root',
  children: [
    {
      unitId: 'bu1',
      attributes: { headcount: 1n },
      children: [{ unitId: 't1' }, { unitId: 't2' }],
    },
    {
      unitId: 'bu2',
      attributes: { headcount: 3n },
      children: [{ unitId: 't3' }, { unitId: 't4' }],
    },
  ],
};

const policies: Record<string, AllocationPolicy> = {
  root: {
    contingency: { basisPoints: 1_000 },
    rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] },
  },
  bu1: {
    rule: {
      kind: 'fairShare',
      members: [
        { childId: 't1', demand: 10n },
        { childId: 't2', demand: 100n },
      ],
    },
  },
  bu2: {
    rule: {
      kind: 'static',
      members: [
        { childId: 't3', amount: 100n },
        { childId: 't4', amount: 50n },
      ],
    },
  },
};

describe('preview over a tree', () => {
  it('applies each level its own policy and keeps every unit, parents first', () => {
    const result = unwrap(preview(tree, policies, 1_000n));
    expect(Object.keys(result.units)).toEqual(['root', 'bu1', 't1', 't2', 'bu2', 't3', 't4']);
    const amounts = Object.fromEntries(
      Object.values(result.units).map((unit) => [unit.unitId, unit.amount]),
    );
    // root holds back 100, splits 900 by headcount 1:3; bu1 fills demands 10 + 100; bu2 gives 100 + 50.
    expect(amounts).toEqual({
      root: 1_000n,
      bu1: 225n,
      bu2: 675n,
      t1: 10n,
      t2: 100n,
      t3: 100n,
      t4: 50n,
    });
    expect(result.units.root?.split).toEqual({
      criterion: 'weights',
      heldBack: 100n,
      unallocated: 0n,
      unallocatedReasons: [],
    });
    expect(result.units.bu1?.split).toMatchObject({
      unallocated: 115n,
      unallocatedReasons: ['DEMAND_SATISFIED'],
    });
    expect(result.units.bu2?.split).toMatchObject({
      unallocated: 525n,
      unallocatedReasons: ['STATIC_REMAINDER'],
    });
    expect(result.units.t2).toMatchObject({ parentId: 'bu1', depth: 2, split: null });
    expect(result.units.t2?.explanation?.boundBy).toBe('demand');
    expect(result.units.root).toMatchObject({ parentId: null, depth: 0, explanation: null });
    expect(result.units.bu2?.explanation?.contributions[0]).toMatchObject({
      criterion: 'weight',
      weight: 3n,
    });
  });

  it('accepts the policies as a Map and gives the same result', () => {
    expect(preview(tree, new Map(Object.entries(policies)), 1_000n)).toEqual(
      preview(tree, policies, 1_000n),
    );
  });

  it('gives a single leaf the whole amount', () => {
    const result = unwrap(preview({ unitId: 'solo' }, {}, 42n));
    expect(result.units).toEqual({
      solo: {
        unitId: 'solo',
        parentId: null,
        depth: 0,
        amount: 42n,
        explanation: null,
        split: null,
      },
    });
  });

  it('ignores a policy on a leaf: it has nobody to split among', () => {
    const result = unwrap(
      preview(tree, { ...policies, t1: policies.bu2 as AllocationPolicy }, 1_000n),
    );
    expect(result.units.t1?.split).toBeNull();
  });

  it('reports every structural problem of the policies at once', () => {
    const { bu1: _bu1, ...withoutBu1 } = policies;
    const broken = {
      ...withoutBu1,
      ghost: policies.bu2 as AllocationPolicy,
      bu2: {
        rule: { kind: 'static', members: [{ childId: 't3', amount: -5n }] },
      } as AllocationPolicy,
    };
    const error = unwrapError(preview(tree, broken, 1_000n));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(error.details.issues.map((issue) => [issue.unitId, issue.reason])).toEqual([
      ['ghost', 'UNKNOWN_UNIT'],
      ['bu1', 'MISSING_POLICY'],
      ['bu2', 'MISSING_CHILD'],
      ['bu2', 'NEGATIVE'],
    ]);
    expect(error.details.issues[3]?.path).toBe('policies["bu2"].rule.members[0].amount');
  });

  it('reports a static sum that does not fit what a unit receives deep in the tree', () => {
    // 200: root holds back 20, bu2 receives 135 of 180, less than its static 150.
    const error = unwrapError(preview(tree, policies, 200n));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(error.details.issues).toEqual([
      expect.objectContaining({
        unitId: 'bu2',
        reason: 'STATIC_SUM_EXCEEDS_AMOUNT',
        path: 'policies["bu2"].rule.members',
        value: '150',
        limit: '135',
      }),
    ]);
  });

  it('refuses a negative amount, duplicate units and a tree too deep', () => {
    expect(unwrapError(preview(tree, policies, -1n)).code).toBe('ALLOCATION.AMOUNT_INVALID');
    const shared: AllocationTreeNode = { unitId: 'x' };
    const duplicated = unwrapError(preview({ unitId: 'r', children: [shared, shared] }, {}, 1n));
    expect(duplicated.code).toBe('ALLOCATION.TREE_INVALID');
    expect(reasonsOf(duplicated)).toEqual(['DUPLICATE_UNIT']);
    let deep: AllocationTreeNode = { unitId: 'leaf' };
    for (let level = 0; level <= ALLOCATION_LIMITS.maxTreeDepth; level += 1) {
      deep = { unitId: `n${level}`, children: [deep] };
    }
    expect(reasonsOf(unwrapError(preview(deep, {}, 1n)))).toEqual(['TOO_DEEP']);
  });

  it('is deterministic: the same inputs give the same output', () => {
    expect(preview(tree, policies, 12_345n)).toEqual(preview(tree, policies, 12_345n));
  });
});
