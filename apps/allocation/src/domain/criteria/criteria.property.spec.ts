import fc from 'fast-check';
import { allocateNode } from './allocate-node';
import { sumBigints } from './rule-outcome';
import type { Scenario } from './testing/criteria.arbitraries';
import {
  anyScenarioArb,
  fairShareScenarioArb,
  permutationOf,
  tiersScenarioArb,
} from './testing/criteria.arbitraries';
import { unwrap } from './testing/results';
import type { AllocationPolicy, AllocationRule, Contribution, NodeAllocation } from './types';

const RUNS = { numRuns: 200 };

function run(scenario: Scenario) {
  return allocateNode(scenario.amount, scenario.children, scenario.policy);
}

/**
 * What must not change when children or members are given in another order. Weight
 * contributions follow the policy's component order, so they are compared as a set.
 */
function canonical(allocation: NodeAllocation) {
  const key = (contribution: Contribution) =>
    contribution.criterion === 'weight'
      ? `weight:${contribution.attribute}`
      : contribution.criterion;
  const children = [...allocation.children]
    .sort((a, b) => (a.childId < b.childId ? -1 : 1))
    .map((child) => ({
      ...child,
      explanation: {
        ...child.explanation,
        contributions: [...child.explanation.contributions].sort((a, b) =>
          key(a) < key(b) ? -1 : 1,
        ),
      },
    }));
  return { ...allocation, children };
}

function withRule(policy: AllocationPolicy, rule: AllocationRule): AllocationPolicy {
  return { ...policy, rule };
}

const shuffledArb = anyScenarioArb.chain((scenario) => {
  const { rule } = scenario.policy;
  const members = rule.kind === 'weights' ? rule.components : rule.members;
  return fc
    .tuple(permutationOf(scenario.children), permutationOf<unknown>(members))
    .map(([children, shuffled]): [Scenario, Scenario] => {
      const reordered =
        rule.kind === 'weights'
          ? { ...rule, components: shuffled as typeof rule.components }
          : ({ ...rule, members: shuffled } as AllocationRule);
      return [scenario, { ...scenario, children, policy: withRule(scenario.policy, reordered) }];
    });
});

describe('every criterion', () => {
  it('conserves the amount exactly, never gives a negative part, and explains every unit', () => {
    fc.assert(
      fc.property(anyScenarioArb, (scenario) => {
        const result = run(scenario);
        if (!result.ok) {
          // Only what depends on the amount may fail for a well-formed policy.
          const reasons = result.error.details.issues.map((issue) => issue.reason);
          expect(
            reasons.every(
              (reason) =>
                reason === 'STATIC_SUM_EXCEEDS_AMOUNT' || reason === 'CONTINGENCY_EXCEEDS_AMOUNT',
            ),
          ).toBe(true);
          return;
        }
        const allocation = result.value;
        const parts = sumBigints(allocation.children.map((child) => child.amount));
        expect(parts + allocation.heldBack + allocation.unallocated).toBe(scenario.amount);
        expect(allocation.heldBack).toBeGreaterThanOrEqual(0n);
        expect(allocation.unallocated).toBeGreaterThanOrEqual(0n);
        expect(allocation.unallocated > 0n).toBe(allocation.unallocatedReasons.length > 0);
        for (const child of allocation.children) {
          expect(child.amount).toBeGreaterThanOrEqual(0n);
          expect(sumBigints(child.explanation.contributions.map((c) => c.amount))).toBe(
            child.amount,
          );
        }
        expect(
          JSON.parse(
            JSON.stringify(allocation, (_, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)),
          ),
        ).toBeDefined();
      }),
      RUNS,
    );
  });

  it('is deterministic and does not depend on the order of children or members', () => {
    fc.assert(
      fc.property(shuffledArb, ([scenario, shuffled]) => {
        const first = run(scenario);
        expect(run(scenario)).toEqual(first);
        const second = run(shuffled);
        expect(second.ok).toBe(first.ok);
        if (first.ok && second.ok) expect(canonical(second.value)).toEqual(canonical(first.value));
        if (second.ok)
          expect(second.value.children.map((c) => c.childId)).toEqual(
            shuffled.children.map((c) => c.childId),
          );
      }),
      RUNS,
    );
  });
});

describe('priority tiers properties', () => {
  it('honours caps always and floors when they fit; a lower tier gets remainder only once higher tiers are capped', () => {
    fc.assert(
      fc.property(tiersScenarioArb, (scenario) => {
        const allocation = unwrap(run(scenario));
        const rule = scenario.policy.rule;
        if (rule.kind !== 'tiers') throw new Error('tiers scenario expected');
        const floorsFit =
          sumBigints(rule.members.map((member) => member.floor ?? 0n)) <= scenario.amount;
        const rows = rule.members.map((member) => {
          const child = allocation.children.find((c) => c.childId === member.childId);
          const tier = child?.explanation.contributions.find((c) => c.criterion === 'tier');
          if (child === undefined || tier?.criterion !== 'tier')
            throw new Error('missing tier contribution');
          return {
            member,
            amount: child.amount,
            rank: tier.rank,
            weight: tier.weight,
            share: tier.amount,
          };
        });
        for (const row of rows) {
          if (row.member.cap !== undefined) expect(row.amount).toBeLessThanOrEqual(row.member.cap);
          if (floorsFit) expect(row.amount).toBeGreaterThanOrEqual(row.member.floor ?? 0n);
          else expect(row.share).toBe(0n);
          if (allocation.unallocated > 0n && row.weight > 0n)
            expect(row.amount).toBe(row.member.cap);
        }
        if (rule.mode !== 'priority') return;
        for (const lower of rows.filter((row) => row.share > 0n)) {
          for (const higher of rows.filter((row) => row.rank < lower.rank && row.weight > 0n)) {
            expect(higher.amount).toBe(higher.member.cap);
          }
        }
      }),
      RUNS,
    );
  });
});

describe('max-min fair share properties', () => {
  it('never exceeds demand or cap, honours floors that fit, and is max-min fair', () => {
    fc.assert(
      fc.property(fairShareScenarioArb, (scenario) => {
        const allocation = unwrap(run(scenario));
        const rule = scenario.policy.rule;
        if (rule.kind !== 'fairShare') throw new Error('fair share scenario expected');
        const rows = rule.members.map((member) => {
          const upper =
            member.cap !== undefined && member.cap < member.demand ? member.cap : member.demand;
          const floor = member.floor ?? 0n;
          const lower = floor < upper ? floor : upper;
          const child = allocation.children.find((c) => c.childId === member.childId);
          if (child === undefined) throw new Error('missing child');
          return { id: member.childId, amount: child.amount, lower, upper };
        });
        const floorsFit = sumBigints(rows.map((row) => row.lower)) <= scenario.amount;
        const upperSum = sumBigints(rows.map((row) => row.upper));
        // Pareto: nothing is left while somebody could still take it.
        expect(sumBigints(rows.map((row) => row.amount))).toBe(
          scenario.amount < upperSum ? scenario.amount : upperSum,
        );
        for (const row of rows) {
          expect(row.amount).toBeLessThanOrEqual(row.upper);
          if (floorsFit) expect(row.amount).toBeGreaterThanOrEqual(row.lower);
          else expect(row.amount).toBeLessThanOrEqual(row.lower);
        }
        // Max-min: a child below another by more than the rounding unit is at its limit, or the
        // other was lifted by its floor (with infeasible floors, the floors are the limits).
        for (const low of rows) {
          for (const high of rows) {
            if (low.amount + 1n >= high.amount) continue;
            const lowAtLimit = low.amount === (floorsFit ? low.upper : low.lower);
            const highLifted = floorsFit && high.amount === high.lower;
            expect(lowAtLimit || highLifted).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
