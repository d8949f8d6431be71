import { allocateNode } from './allocate-node';
import { amountsOf, childOf, reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationChild, AllocationPolicy, WeightComponent } from './types';

const byHeadcount: AllocationPolicy = {
  rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] },
};

const withHeadcount = (...headcounts: bigint[]): AllocationChild[] =>
  headcounts.map((headcount, index) => ({
    childId: String.fromCharCode(97 + index),
    attributes: { headcount },
  }));

describe('weights', () => {
  it('splits by headcount with largest-remainder rounding (100 by 1:2:3 → 17, 33, 50)', () => {
    // quotas 16.67, 33.33, 50: remainders 4/6, 2/6, 0 → a takes the one unit left.
    const allocation = unwrap(allocateNode(100n, withHeadcount(1n, 2n, 3n), byHeadcount));
    expect(amountsOf(allocation)).toEqual({ a: 17n, b: 33n, c: 50n });
    expect(allocation).toMatchObject({ criterion: 'weights', unallocated: 0n, heldBack: 0n });
    expect(childOf(allocation, 'a').explanation).toEqual({
      contributions: [
        {
          criterion: 'weight',
          attribute: 'headcount',
          weight: 1n,
          totalWeight: 6n,
          componentAmount: 100n,
          amount: 17n,
          roundedUp: true,
        },
      ],
      boundBy: null,
    });
  });

  it('breaks equal remainders by child id', () => {
    const allocation = unwrap(allocateNode(2n, withHeadcount(1n, 1n, 1n), byHeadcount));
    expect(amountsOf(allocation)).toEqual({ a: 1n, b: 1n, c: 0n });
  });

  it('reads exact decimals at any scale (1.5 : 2 → 30, 40)', () => {
    const children: AllocationChild[] = [
      { childId: 'a', attributes: { revenue: { value: 15n, scale: 1 } } },
      { childId: 'b', attributes: { revenue: 2n } },
    ];
    const policy: AllocationPolicy = {
      rule: { kind: 'weights', components: [{ attribute: 'revenue', basisPoints: 10_000 }] },
    };
    const allocation = unwrap(allocateNode(70n, children, policy));
    expect(amountsOf(allocation)).toEqual({ a: 30n, b: 40n });
    expect(childOf(allocation, 'a').explanation.contributions[0]).toMatchObject({
      weight: 15n,
      totalWeight: 35n,
    });
  });

  it('blends components: 101 = half by headcount, half by revenue', () => {
    // components: 50.5 each → headcount (smaller name) 51, revenue 50.
    // headcount 1:1 of 51 → a 26, b 25; revenue 1:3 of 50 → 12.5, 37.5 → a 13, b 37.
    const children: AllocationChild[] = [
      { childId: 'a', attributes: { headcount: 1n, revenue: 1n } },
      { childId: 'b', attributes: { headcount: 1n, revenue: 3n } },
    ];
    const components: WeightComponent[] = [
      { attribute: 'revenue', basisPoints: 5_000 },
      { attribute: 'headcount', basisPoints: 5_000 },
    ];
    const allocation = unwrap(
      allocateNode(101n, children, { rule: { kind: 'weights', components } }),
    );
    expect(amountsOf(allocation)).toEqual({ a: 39n, b: 62n });
    expect(childOf(allocation, 'a').explanation.contributions.map((c) => c.amount)).toEqual([
      13n,
      26n,
    ]);
  });

  it('leaves the amount unallocated when every weight is zero', () => {
    const allocation = unwrap(allocateNode(10n, withHeadcount(0n, 0n), byHeadcount));
    expect(amountsOf(allocation)).toEqual({ a: 0n, b: 0n });
    expect(allocation).toMatchObject({
      unallocated: 10n,
      unallocatedReasons: ['ALL_WEIGHTS_ZERO'],
    });
  });

  it('gives one child everything and zero gives zeros', () => {
    expect(amountsOf(unwrap(allocateNode(7n, withHeadcount(3n), byHeadcount)))).toEqual({ a: 7n });
    expect(amountsOf(unwrap(allocateNode(0n, withHeadcount(3n, 1n), byHeadcount)))).toEqual({
      a: 0n,
      b: 0n,
    });
  });

  it('refuses negative weights, missing attributes and bad scales', () => {
    const children: AllocationChild[] = [
      { childId: 'a', attributes: { headcount: -1n } },
      { childId: 'b' },
      { childId: 'c', attributes: { headcount: { value: 1n, scale: 19 } } },
    ];
    const error = unwrapError(allocateNode(10n, children, byHeadcount));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(error.details.issues).toEqual([
      expect.objectContaining({
        reason: 'NEGATIVE',
        childId: 'a',
        path: 'policy.children["a"].attributes.headcount',
      }),
      expect.objectContaining({ reason: 'MISSING_ATTRIBUTE', childId: 'b' }),
      expect.objectContaining({ reason: 'OUT_OF_RANGE', childId: 'c' }),
    ]);
  });

  it('does not read an attribute name from the prototype', () => {
    const error = unwrapError(
      allocateNode(10n, withHeadcount(1n), {
        rule: { kind: 'weights', components: [{ attribute: 'constructor', basisPoints: 10_000 }] },
      }),
    );
    expect(reasonsOf(error)).toEqual(['MISSING_ATTRIBUTE']);
  });

  it('refuses components that do not sum to 10000, repeat or are missing', () => {
    const twice: AllocationPolicy = {
      rule: {
        kind: 'weights',
        components: [
          { attribute: 'headcount', basisPoints: 5_000 },
          { attribute: 'headcount', basisPoints: 4_000 },
        ],
      },
    };
    expect(reasonsOf(unwrapError(allocateNode(10n, withHeadcount(1n), twice)))).toEqual([
      'DUPLICATE_COMPONENT',
      'BASIS_POINTS_SUM',
    ]);
    const none: AllocationPolicy = { rule: { kind: 'weights', components: [] } };
    expect(reasonsOf(unwrapError(allocateNode(10n, withHeadcount(1n), none)))).toEqual(['EMPTY']);
  });

  it('refuses duplicate children before looking at the rule', () => {
    const children = [...withHeadcount(1n), ...withHeadcount(2n)];
    expect(reasonsOf(unwrapError(allocateNode(10n, children, byHeadcount)))).toEqual([
      'DUPLICATE_CHILD',
    ]);
  });

  it('refuses a negative or non-bigint amount with AMOUNT_INVALID', () => {
    expect(unwrapError(allocateNode(-1n, withHeadcount(1n), byHeadcount)).code).toBe(
      'ALLOCATION.AMOUNT_INVALID',
    );
    expect(
      unwrapError(allocateNode(1 as unknown as bigint, withHeadcount(1n), byHeadcount)).code,
    ).toBe('ALLOCATION.AMOUNT_INVALID');
  });
});
