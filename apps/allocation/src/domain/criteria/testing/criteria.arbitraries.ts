// fast-check arbitraries for the criteria property tests. Sizes stay small so a run of 200
// cases takes well under a second; amounts reach far past 2^53 to exercise bigint exactness.
import fc from 'fast-check';
import type {
  AllocationChild,
  AllocationPolicy,
  Contingency,
  FairShareMember,
  TiersRule,
  WeightValue,
} from '../types';

export const TIER_NAMES = ['essential', 'standard', 'discretionary'] as const;

export const amountArb: fc.Arbitrary<bigint> = fc.oneof(
  { arbitrary: fc.bigInt({ min: 0n, max: 1_000n }), weight: 3 },
  { arbitrary: fc.bigInt({ min: 0n, max: 10n ** 24n }), weight: 1 },
);

const smallArb = fc.bigInt({ min: 0n, max: 400n });

export const childIdsArb = (minLength = 1): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.stringMatching(/^[a-e]{1,2}$/), { minLength, maxLength: 8 });

export const weightArb: fc.Arbitrary<WeightValue> = fc.oneof(
  fc.bigInt({ min: 0n, max: 50n }),
  fc.record({
    value: fc.bigInt({ min: 0n, max: 10n ** 6n }),
    scale: fc.integer({ min: 0, max: 4 }),
  }),
);

export const contingencyArb: fc.Arbitrary<Contingency | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ basisPoints: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ amount: smallArb }),
);

/** A floor, and a cap at or above it, each optional. */
const floorCapArb = fc
  .record({
    floor: fc.option(smallArb, { nil: undefined }),
    extra: fc.option(smallArb, { nil: undefined }),
  })
  .map(({ floor, extra }) => ({
    ...(floor === undefined ? {} : { floor }),
    ...(extra === undefined ? {} : { cap: (floor ?? 0n) + extra }),
  }));

export interface Scenario {
  amount: bigint;
  children: AllocationChild[];
  policy: AllocationPolicy;
}

const withChildren = <T>(build: (ids: string[]) => fc.Arbitrary<T>) => childIdsArb().chain(build);

export const weightsScenarioArb: fc.Arbitrary<Scenario> = withChildren((ids) =>
  fc.record({
    amount: amountArb,
    children: fc.tuple(
      ...ids.map((childId) =>
        fc
          .record({ headcount: weightArb, revenue: weightArb })
          .map((attributes) => ({ childId, attributes })),
      ),
    ),
    split: fc.integer({ min: 0, max: 10_000 }),
    contingency: contingencyArb,
  }),
).map(({ amount, children, split, contingency }) => ({
  amount,
  children,
  policy: {
    ...(contingency === undefined ? {} : { contingency }),
    rule: {
      kind: 'weights',
      components: [
        { attribute: 'headcount', basisPoints: split },
        { attribute: 'revenue', basisPoints: 10_000 - split },
      ],
    },
  },
}));

export const tiersScenarioArb: fc.Arbitrary<Scenario> = withChildren((ids) =>
  fc.record({
    amount: amountArb,
    mode: fc.constantFrom<TiersRule['mode']>('priority', 'weighted'),
    weighted: fc.boolean(),
    multipliers: fc.tuple(smallArb, smallArb, smallArb),
    members: fc.tuple(
      ...ids.map((childId) =>
        fc
          .record({
            tier: fc.constantFrom(...TIER_NAMES),
            bounds: floorCapArb,
            headcount: weightArb,
          })
          .map(({ tier, bounds, headcount }) => ({
            member: { childId, tier, ...bounds },
            headcount,
          })),
      ),
    ),
  }),
).map(({ amount, mode, weighted, multipliers, members }) => ({
  amount,
  children: members.map(({ member, headcount }) => ({
    childId: member.childId,
    attributes: { headcount },
  })),
  policy: {
    rule: {
      kind: 'tiers',
      mode,
      ...(weighted ? { weightAttribute: 'headcount' } : {}),
      tiers: TIER_NAMES.map((tier, index) => ({ tier, multiplier: multipliers[index] ?? 1n })),
      members: members.map(({ member }) => member),
    },
  },
}));

export const fairShareScenarioArb: fc.Arbitrary<Scenario> = withChildren((ids) =>
  fc.record({
    amount: fc.oneof(fc.bigInt({ min: 0n, max: 3_000n }), amountArb),
    members: fc.tuple(
      ...ids.map((childId) =>
        fc
          .record({ demand: fc.oneof(smallArb, amountArb), bounds: floorCapArb })
          .map(({ demand, bounds }): FairShareMember => ({ childId, demand, ...bounds })),
      ),
    ),
  }),
).map(({ amount, members }) => ({
  amount,
  children: members.map(({ childId }) => ({ childId })),
  policy: { rule: { kind: 'fairShare', members } },
}));

export const staticScenarioArb: fc.Arbitrary<Scenario> = withChildren((ids) =>
  fc
    .record({
      amount: fc.bigInt({ min: 0n, max: 2_000n }),
      amounts: fc.tuple(...ids.map(() => smallArb)),
      contingency: contingencyArb,
    })
    .map(({ amount, amounts, contingency }) => ({
      amount,
      children: ids.map((childId) => ({ childId })),
      policy: {
        ...(contingency === undefined ? {} : { contingency }),
        rule: {
          kind: 'static' as const,
          members: ids.map((childId, index) => ({ childId, amount: amounts[index] ?? 0n })),
        },
      },
    })),
);

export const anyScenarioArb: fc.Arbitrary<Scenario> = fc.oneof(
  staticScenarioArb,
  weightsScenarioArb,
  tiersScenarioArb,
  fairShareScenarioArb,
);

/** The same items in another order. */
export const permutationOf = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
