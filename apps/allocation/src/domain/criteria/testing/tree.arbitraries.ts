// Random unit trees with a policy on every unit that has children, built from per-unit data so
// that each policy names exactly that unit's children.
import fc from 'fast-check';
import type { AllocationPolicy, AllocationRule, AllocationTreeNode } from '../types';
import { TIER_NAMES } from './criteria.arbitraries';

interface UnitData {
  headcount: bigint;
  demand: bigint;
  floor: bigint;
  capExtra: bigint | null;
  tier: number;
  kind: number;
  contingencyBasisPoints: number;
}

interface Shape {
  data: UnitData;
  children: Shape[];
}

const dataArb: fc.Arbitrary<UnitData> = fc.record({
  headcount: fc.bigInt({ min: 0n, max: 30n }),
  demand: fc.bigInt({ min: 0n, max: 5_000n }),
  floor: fc.bigInt({ min: 0n, max: 300n }),
  capExtra: fc.option(fc.bigInt({ min: 0n, max: 3_000n }), { nil: null }),
  tier: fc.integer({ min: 0, max: 2 }),
  kind: fc.integer({ min: 0, max: 4 }),
  contingencyBasisPoints: fc.integer({ min: 0, max: 2_500 }),
});

function shapeArb(depth: number): fc.Arbitrary<Shape> {
  const leaf = dataArb.map((data) => ({ data, children: [] }));
  if (depth === 0) return leaf;
  return fc.oneof(
    { arbitrary: leaf, weight: 1 },
    {
      arbitrary: fc.record({
        data: dataArb,
        children: fc.array(shapeArb(depth - 1), { minLength: 1, maxLength: 4 }),
      }),
      weight: 3,
    },
  );
}

function ruleFor(
  kind: number,
  children: readonly { id: string; data: UnitData }[],
): AllocationRule {
  const bounds = (data: UnitData) => ({
    floor: data.floor,
    ...(data.capExtra === null ? {} : { cap: data.floor + data.capExtra }),
  });
  switch (kind) {
    case 0:
      return { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] };
    case 1:
    case 2:
      return {
        kind: 'tiers',
        mode: kind === 1 ? 'priority' : 'weighted',
        weightAttribute: 'headcount',
        tiers: TIER_NAMES.map((tier, index) => ({ tier, multiplier: BigInt(3 - index) })),
        members: children.map(({ id, data }) => ({
          childId: id,
          tier: TIER_NAMES[data.tier] ?? 'standard',
          ...bounds(data),
        })),
      };
    case 3:
      return {
        kind: 'fairShare',
        members: children.map(({ id, data }) => ({
          childId: id,
          demand: data.demand,
          ...bounds(data),
        })),
      };
    default:
      return {
        kind: 'static',
        members: children.map(({ id, data }) => ({ childId: id, amount: data.floor })),
      };
  }
}

export interface TreeScenario {
  tree: AllocationTreeNode;
  policies: Record<string, AllocationPolicy>;
  amount: bigint;
}

function build(
  shape: Shape,
  id: string,
  policies: Record<string, AllocationPolicy>,
): AllocationTreeNode {
  const children = shape.children.map((child, index) => ({
    id: `${id}.${index}`,
    data: child.data,
    shape: child,
  }));
  if (children.length > 0) {
    policies[id] = {
      contingency: { basisPoints: shape.data.contingencyBasisPoints },
      rule: ruleFor(shape.data.kind, children),
    };
  }
  return {
    unitId: id,
    attributes: { headcount: shape.data.headcount },
    children: children.map((child) => build(child.shape, child.id, policies)),
  };
}

export const treeScenarioArb: fc.Arbitrary<TreeScenario> = fc
  .record({
    shape: shapeArb(3),
    amount: fc.oneof(fc.bigInt({ min: 0n, max: 20_000n }), fc.bigInt({ min: 0n, max: 10n ** 20n })),
  })
  .map(({ shape, amount }) => {
    const policies: Record<string, AllocationPolicy> = {};
    const tree = build(shape, 'r', policies);
    return { tree, policies, amount };
  });
