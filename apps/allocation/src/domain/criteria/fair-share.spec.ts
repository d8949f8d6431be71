import { allocateNode } from './allocate-node';
import { amountsOf, childOf, reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationChild, AllocationPolicy, FairShareMember } from './types';

const fair = (members: FairShareMember[]): AllocationPolicy => ({
  rule: { kind: 'fairShare', members },
});
const childrenOf = (members: FairShareMember[]): AllocationChild[] =>
  members.map(({ childId }) => ({ childId }));
const run = (amount: bigint, members: FairShareMember[]) =>
  unwrap(allocateNode(amount, childrenOf(members), fair(members)));

describe('max-min fair share', () => {
  it('fills the smallest demand and splits the rest evenly (100 over 20, 50, 60)', () => {
    const allocation = run(100n, [
      { childId: 'a', demand: 20n },
      { childId: 'b', demand: 50n },
      { childId: 'c', demand: 60n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 20n, b: 40n, c: 40n });
    expect(childOf(allocation, 'a').explanation).toEqual({
      contributions: [
        { criterion: 'fairShare', demand: 20n, level: 40n, amount: 20n, roundedUp: false },
      ],
      boundBy: 'demand',
    });
    expect(childOf(allocation, 'b').explanation.boundBy).toBeNull();
    expect(allocation.unallocated).toBe(0n);
  });

  it('gives the units left at the level one each, in child-id order', () => {
    const allocation = run(10n, [
      { childId: 'c', demand: 5n },
      { childId: 'b', demand: 5n },
      { childId: 'a', demand: 5n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 4n, b: 3n, c: 3n });
    expect(childOf(allocation, 'a').explanation.contributions[0]).toMatchObject({
      level: 3n,
      roundedUp: true,
    });
  });

  it('lifts a child to its floor and water-fills the others', () => {
    // level 20: a 20, b lifted to its floor 70, c its demand 10.
    const allocation = run(100n, [
      { childId: 'a', demand: 100n },
      { childId: 'b', demand: 100n, floor: 70n },
      { childId: 'c', demand: 10n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 20n, b: 70n, c: 10n });
    expect(childOf(allocation, 'b').explanation).toEqual({
      contributions: [
        { criterion: 'floor', floor: 70n, amount: 70n, shortfall: 0n },
        { criterion: 'fairShare', demand: 100n, level: 20n, amount: 0n, roundedUp: false },
      ],
      boundBy: 'floor',
    });
  });

  it('stops a child at its cap', () => {
    const allocation = run(100n, [
      { childId: 'a', demand: 100n, cap: 30n },
      { childId: 'b', demand: 100n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 30n, b: 70n });
    expect(childOf(allocation, 'a').explanation.boundBy).toBe('cap');
  });

  it('keeps what demands and caps cannot absorb as unallocated, with the reasons', () => {
    const satisfied = run(100n, [
      { childId: 'a', demand: 10n },
      { childId: 'b', demand: 20n },
    ]);
    expect(amountsOf(satisfied)).toEqual({ a: 10n, b: 20n });
    expect(satisfied).toMatchObject({ unallocated: 70n, unallocatedReasons: ['DEMAND_SATISFIED'] });
    const capped = run(100n, [
      { childId: 'a', demand: 50n, cap: 10n },
      { childId: 'b', demand: 20n },
    ]);
    expect(capped).toMatchObject({
      unallocated: 70n,
      unallocatedReasons: ['CAPS_REACHED', 'DEMAND_SATISFIED'],
    });
  });

  it('guarantees a floor only up to the demand', () => {
    const allocation = run(50n, [
      { childId: 'a', demand: 5n, floor: 20n },
      { childId: 'b', demand: 100n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 5n, b: 45n });
    expect(childOf(allocation, 'a').explanation).toEqual({
      contributions: [
        { criterion: 'floor', floor: 20n, amount: 5n, shortfall: 0n },
        { criterion: 'fairShare', demand: 5n, level: 45n, amount: 0n, roundedUp: false },
      ],
      boundBy: 'demand',
    });
  });

  it('shares the amount max-min fairly among the floors when they do not fit', () => {
    // floors 40 + 10 > 30: fill the floors evenly → a 20, b its whole floor 10, c (no floor) 0.
    const allocation = run(30n, [
      { childId: 'a', demand: 100n, floor: 40n },
      { childId: 'b', demand: 100n, floor: 10n },
      { childId: 'c', demand: 100n },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: 20n, b: 10n, c: 0n });
    expect(childOf(allocation, 'a').explanation).toEqual({
      contributions: [
        { criterion: 'floor', floor: 40n, amount: 20n, shortfall: 20n },
        { criterion: 'fairShare', demand: 100n, level: 20n, amount: 0n, roundedUp: false },
      ],
      boundBy: 'floor',
    });
    expect(childOf(allocation, 'c').explanation.boundBy).toBeNull();
    expect(allocation.unallocated).toBe(0n);
  });

  it('handles zero amount, zero demands and a single child', () => {
    expect(
      amountsOf(
        run(0n, [
          { childId: 'a', demand: 5n },
          { childId: 'b', demand: 5n, floor: 1n },
        ]),
      ),
    ).toEqual({
      a: 0n,
      b: 0n,
    });
    const zero = run(9n, [{ childId: 'a', demand: 0n }]);
    expect(zero).toMatchObject({ unallocated: 9n, unallocatedReasons: ['DEMAND_SATISFIED'] });
    expect(childOf(zero, 'a').explanation.boundBy).toBe('demand');
    expect(amountsOf(run(9n, [{ childId: 'a', demand: 12n }]))).toEqual({ a: 9n });
  });

  it('stays exact with amounts far beyond the float range', () => {
    const big = 10n ** 24n;
    const allocation = run(big + 1n, [
      { childId: 'a', demand: big },
      { childId: 'b', demand: big },
    ]);
    expect(amountsOf(allocation)).toEqual({ a: big / 2n + 1n, b: big / 2n });
  });

  it('refuses a floor above the cap and negative demands', () => {
    const members: FairShareMember[] = [
      { childId: 'a', demand: 10n, floor: 8n, cap: 4n },
      { childId: 'b', demand: -1n },
    ];
    const error = unwrapError(allocateNode(10n, childrenOf(members), fair(members)));
    expect(reasonsOf(error)).toEqual(['FLOOR_ABOVE_CAP', 'NEGATIVE']);
  });
});
