import { allocateNode } from './allocate-node';
import { amountsOf, reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationChild, AllocationPolicy } from './types';

const children: AllocationChild[] = [{ childId: 'a' }, { childId: 'b' }];

const staticPolicy = (a: bigint, b: bigint): AllocationPolicy => ({
  rule: {
    kind: 'static',
    members: [
      { childId: 'a', amount: a },
      { childId: 'b', amount: b },
    ],
  },
});

describe('static amounts', () => {
  it('gives each child its named amount and leaves the rest at the parent', () => {
    const allocation = unwrap(allocateNode(100n, children, staticPolicy(30n, 20n)));
    expect(amountsOf(allocation)).toEqual({ a: 30n, b: 20n });
    expect(allocation).toMatchObject({
      criterion: 'static',
      heldBack: 0n,
      unallocated: 50n,
      unallocatedReasons: ['STATIC_REMAINDER'],
    });
    expect(allocation.children[0]?.explanation).toEqual({
      contributions: [{ criterion: 'static', amount: 30n }],
      boundBy: null,
    });
  });

  it('uses the whole amount when the static amounts sum to it', () => {
    const allocation = unwrap(allocateNode(50n, children, staticPolicy(30n, 20n)));
    expect(allocation).toMatchObject({ unallocated: 0n, unallocatedReasons: [] });
  });

  it('refuses static amounts that exceed the amount', () => {
    const error = unwrapError(allocateNode(49n, children, staticPolicy(30n, 20n)));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(error.details.issues).toEqual([
      expect.objectContaining({
        reason: 'STATIC_SUM_EXCEEDS_AMOUNT',
        path: 'policy.rule.members',
        value: '50',
        limit: '49',
      }),
    ]);
  });

  it('measures the static sum against what is left after the contingency', () => {
    const policy = { ...staticPolicy(60n, 35n), contingency: { basisPoints: 1_000 } };
    const error = unwrapError(allocateNode(100n, children, policy));
    expect(error.details.issues[0]).toMatchObject({ value: '95', limit: '90' });
  });

  it('refuses negative amounts, unknown, duplicate and missing children, all at once', () => {
    const policy: AllocationPolicy = {
      rule: {
        kind: 'static',
        members: [
          { childId: 'a', amount: -1n },
          { childId: 'a', amount: 1n },
          { childId: 'z', amount: 1n },
        ],
      },
    };
    const error = unwrapError(allocateNode(100n, children, policy));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(reasonsOf(error).sort()).toEqual([
      'DUPLICATE_CHILD',
      'MISSING_CHILD',
      'NEGATIVE',
      'UNKNOWN_CHILD',
    ]);
    expect(error.details.issues.find((issue) => issue.reason === 'MISSING_CHILD')?.childId).toBe(
      'b',
    );
  });

  it('splits zero into zeros', () => {
    const allocation = unwrap(allocateNode(0n, children, staticPolicy(0n, 0n)));
    expect(amountsOf(allocation)).toEqual({ a: 0n, b: 0n });
    expect(allocation.unallocated).toBe(0n);
  });
});
