import { allocateNode } from './allocate-node';
import { amountsOf, childOf, reasonsOf, unwrap, unwrapError } from './testing/results';
import type { AllocationChild, AllocationPolicy, TierMember, TiersRule } from './types';

const tiers = [{ tier: 'essential' }, { tier: 'standard' }, { tier: 'discretionary' }];

const children = (...ids: string[]): AllocationChild[] => ids.map((childId) => ({ childId }));

const tiered = (members: TierMember[], extra: Partial<TiersRule> = {}): AllocationPolicy => ({
  rule: { kind: 'tiers', tiers, mode: 'priority', members, ...extra },
});

const abc: TierMember[] = [
  { childId: 'a', tier: 'essential', floor: 30n },
  { childId: 'b', tier: 'standard', floor: 20n },
  { childId: 'c', tier: 'discretionary', floor: 10n },
];

describe('priority tiers', () => {
  it('grants floors, then gives the remainder to the highest tier', () => {
    const allocation = unwrap(allocateNode(100n, children('a', 'b', 'c'), tiered(abc)));
    expect(amountsOf(allocation)).toEqual({ a: 70n, b: 20n, c: 10n });
    expect(childOf(allocation, 'a').explanation).toEqual({
      contributions: [
        { criterion: 'floor', floor: 30n, amount: 30n, shortfall: 0n },
        { criterion: 'tier', tier: 'essential', rank: 0, weight: 1n, amount: 40n },
      ],
      boundBy: null,
    });
    expect(childOf(allocation, 'c').explanation.boundBy).toBe('floor');
  });

  it('spills to the next tier once the higher tier reaches its caps', () => {
    const members = abc.map((member) =>
      member.childId === 'a' ? { ...member, cap: 50n } : member,
    );
    const allocation = unwrap(allocateNode(100n, children('a', 'b', 'c'), tiered(members)));
    expect(amountsOf(allocation)).toEqual({ a: 50n, b: 40n, c: 10n });
    expect(childOf(allocation, 'a').explanation.boundBy).toBe('cap');
    expect(childOf(allocation, 'b').explanation.boundBy).toBeNull();
  });

  it('serves floors by priority when they exceed the amount, proportionally inside the short tier', () => {
    // essential floor 30 fits; standard floors 20 + 10 share the 15 left → 10 and 5; discretionary gets 0.
    const members: TierMember[] = [...abc, { childId: 'd', tier: 'standard', floor: 10n }];
    const allocation = unwrap(allocateNode(45n, children('a', 'b', 'c', 'd'), tiered(members)));
    expect(amountsOf(allocation)).toEqual({ a: 30n, b: 10n, c: 0n, d: 5n });
    expect(childOf(allocation, 'b').explanation.contributions[0]).toEqual({
      criterion: 'floor',
      floor: 20n,
      amount: 10n,
      shortfall: 10n,
    });
    expect(childOf(allocation, 'c').explanation).toMatchObject({ boundBy: 'floor' });
    expect(allocation.unallocated).toBe(0n);
  });

  it('splits inside a tier by the weight attribute and breaks equal remainders by id', () => {
    const members: TierMember[] = [
      { childId: 'x', tier: 'essential' },
      { childId: 'y', tier: 'essential' },
      { childId: 'z', tier: 'standard' },
    ];
    const kids: AllocationChild[] = [
      { childId: 'y', attributes: { headcount: 1n } },
      { childId: 'x', attributes: { headcount: 1n } },
      { childId: 'z', attributes: { headcount: 5n } },
    ];
    const allocation = unwrap(
      allocateNode(11n, kids, tiered(members, { weightAttribute: 'headcount' })),
    );
    expect(amountsOf(allocation)).toEqual({ x: 6n, y: 5n, z: 0n });
  });

  it('leaves the remainder unallocated when every member is capped', () => {
    const members: TierMember[] = [
      { childId: 'a', tier: 'essential', cap: 10n },
      { childId: 'b', tier: 'discretionary', floor: 5n, cap: 5n },
    ];
    const allocation = unwrap(allocateNode(100n, children('a', 'b'), tiered(members)));
    expect(amountsOf(allocation)).toEqual({ a: 10n, b: 5n });
    expect(allocation).toMatchObject({ unallocated: 85n, unallocatedReasons: ['CAPS_REACHED'] });
    expect(childOf(allocation, 'b').explanation.boundBy).toBe('cap');
  });

  it('passes a tier whose weights are all zero on to the next tier', () => {
    const kids: AllocationChild[] = [
      { childId: 'a', attributes: { headcount: 0n } },
      { childId: 'b', attributes: { headcount: 2n } },
    ];
    const members: TierMember[] = [
      { childId: 'a', tier: 'essential' },
      { childId: 'b', tier: 'standard' },
    ];
    const allocation = unwrap(
      allocateNode(9n, kids, tiered(members, { weightAttribute: 'headcount' })),
    );
    expect(amountsOf(allocation)).toEqual({ a: 0n, b: 9n });
  });

  it('handles zero amount and a single child', () => {
    expect(amountsOf(unwrap(allocateNode(0n, children('a', 'b', 'c'), tiered(abc))))).toEqual({
      a: 0n,
      b: 0n,
      c: 0n,
    });
    const one = tiered([{ childId: 'a', tier: 'standard', floor: 5n }]);
    expect(amountsOf(unwrap(allocateNode(3n, children('a'), one)))).toEqual({ a: 3n });
  });
});

describe('weighted tiers', () => {
  it('multiplies member weights by the tier multiplier (60 by 3:2:1)', () => {
    const policy: AllocationPolicy = {
      rule: {
        kind: 'tiers',
        mode: 'weighted',
        tiers: [
          { tier: 'essential', multiplier: 3n },
          { tier: 'standard', multiplier: 2n },
          { tier: 'discretionary' },
        ],
        members: abc.map(({ childId, tier }) => ({ childId, tier })),
      },
    };
    const allocation = unwrap(allocateNode(60n, children('a', 'b', 'c'), policy));
    expect(amountsOf(allocation)).toEqual({ a: 30n, b: 20n, c: 10n });
    expect(childOf(allocation, 'a').explanation.contributions).toEqual([
      { criterion: 'tier', tier: 'essential', rank: 0, weight: 3n, amount: 30n },
    ]);
  });

  it('combines floors, weight attribute and multiplier', () => {
    // floors 10+0+0, rest 50 by weights 2·3, 3·2, 6·1 = 6, 6, 6 → 16/17 each: equal remainders go to a, b.
    const kids: AllocationChild[] = [
      { childId: 'a', attributes: { headcount: 2n } },
      { childId: 'b', attributes: { headcount: 3n } },
      { childId: 'c', attributes: { headcount: 6n } },
    ];
    const policy: AllocationPolicy = {
      rule: {
        kind: 'tiers',
        mode: 'weighted',
        weightAttribute: 'headcount',
        tiers: [
          { tier: 'essential', multiplier: 3n },
          { tier: 'standard', multiplier: 2n },
          { tier: 'discretionary', multiplier: 1n },
        ],
        members: [
          { childId: 'a', tier: 'essential', floor: 10n },
          { childId: 'b', tier: 'standard' },
          { childId: 'c', tier: 'discretionary' },
        ],
      },
    };
    expect(amountsOf(unwrap(allocateNode(60n, kids, policy)))).toEqual({ a: 27n, b: 17n, c: 16n });
  });
});

describe('tier validation', () => {
  it('refuses unknown tiers, floor above cap, duplicate tiers, missing members', () => {
    const policy: AllocationPolicy = {
      rule: {
        kind: 'tiers',
        mode: 'priority',
        tiers: [{ tier: 'essential' }, { tier: 'essential' }],
        members: [
          { childId: 'a', tier: 'luxury' },
          { childId: 'b', tier: 'essential', floor: 10n, cap: 5n },
        ],
      },
    };
    const error = unwrapError(allocateNode(100n, children('a', 'b', 'c'), policy));
    expect(error.code).toBe('ALLOCATION.POLICY_INVALID');
    expect(reasonsOf(error).sort()).toEqual([
      'DUPLICATE_TIER',
      'FLOOR_ABOVE_CAP',
      'MISSING_CHILD',
      'UNKNOWN_TIER',
    ]);
    expect(error.details.issues.find((issue) => issue.reason === 'FLOOR_ABOVE_CAP')).toMatchObject({
      childId: 'b',
      value: '10',
      limit: '5',
      path: 'policy.rule.members[1]',
    });
  });

  it('refuses an empty tier list, negative floors and multipliers, an unknown mode', () => {
    const empty: AllocationPolicy = {
      rule: { kind: 'tiers', mode: 'priority', tiers: [], members: [] },
    };
    expect(reasonsOf(unwrapError(allocateNode(1n, [], empty)))).toEqual(['EMPTY']);
    const bad = {
      rule: {
        kind: 'tiers',
        mode: 'random',
        tiers: [{ tier: 'essential', multiplier: -2n }],
        members: [{ childId: 'a', tier: 'essential', floor: -1n }],
      },
    } as unknown as AllocationPolicy;
    expect(reasonsOf(unwrapError(allocateNode(1n, children('a'), bad))).sort()).toEqual([
      'NEGATIVE',
      'NEGATIVE',
      'UNKNOWN_RULE',
    ]);
  });
});
