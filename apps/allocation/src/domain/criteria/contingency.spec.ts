import { allocateNode } from './allocate-node';
import { contingencyAmount } from './contingency';
import { amountsOf, reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationChild, AllocationPolicy, Contingency } from './types';

const children: AllocationChild[] = [
  { childId: 'a', attributes: { headcount: 1n } },
  { childId: 'b', attributes: { headcount: 1n } },
];

const withContingency = (contingency: Contingency): AllocationPolicy => ({
  contingency,
  rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] },
});

describe('contingency pool', () => {
  it('holds back a share in basis points, rounded down', () => {
    expect(contingencyAmount(105n, { basisPoints: 1_000 })).toBe(10n);
    expect(contingencyAmount(105n, { basisPoints: 0 })).toBe(0n);
    expect(contingencyAmount(105n, { basisPoints: 10_000 })).toBe(105n);
    expect(contingencyAmount(105n, undefined)).toBe(0n);
  });

  it('holds back the pool at the parent before the rule splits the rest', () => {
    const allocation = unwrap(
      allocateNode(105n, children, withContingency({ basisPoints: 1_000 })),
    );
    expect(allocation.heldBack).toBe(10n);
    expect(amountsOf(allocation)).toEqual({ a: 48n, b: 47n });
  });

  it('holds back an absolute amount', () => {
    const allocation = unwrap(allocateNode(100n, children, withContingency({ amount: 30n })));
    expect(allocation.heldBack).toBe(30n);
    expect(amountsOf(allocation)).toEqual({ a: 35n, b: 35n });
  });

  it('can hold back everything', () => {
    const allocation = unwrap(allocateNode(100n, children, withContingency({ amount: 100n })));
    expect(amountsOf(allocation)).toEqual({ a: 0n, b: 0n });
    expect(allocation.heldBack).toBe(100n);
  });

  it('refuses an absolute pool larger than the amount instead of clipping it', () => {
    const error = unwrapError(allocateNode(100n, children, withContingency({ amount: 101n })));
    expect(error.details.issues).toEqual([
      expect.objectContaining({ reason: 'CONTINGENCY_EXCEEDS_AMOUNT', value: '101', limit: '100' }),
    ]);
  });

  it('refuses basis points out of range or not whole, and negative amounts', () => {
    const cases: [Contingency, string][] = [
      [{ basisPoints: 10_001 }, 'OUT_OF_RANGE'],
      [{ basisPoints: -1 }, 'OUT_OF_RANGE'],
      [{ basisPoints: 1.5 }, 'NOT_AN_INTEGER'],
      [{ amount: -1n }, 'NEGATIVE'],
    ];
    for (const [contingency, reason] of cases) {
      expect(
        reasonsOf(unwrapError(allocateNode(100n, children, withContingency(contingency)))),
      ).toEqual([reason]);
    }
  });
});
