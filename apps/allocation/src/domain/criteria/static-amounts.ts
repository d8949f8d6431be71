import type { RuleOutcome } from './rule-outcome';
import { indexBy, sumBigints } from './rule-outcome';
import type { AllocationChild, StaticRule } from './types';

/**
 * Each child receives the amount the policy names for it. Validation guarantees every child is
 * named once and the sum fits the distributable amount; what is left stays at the parent.
 */
export function allocateStatic(
  distributable: bigint,
  children: readonly AllocationChild[],
  rule: StaticRule,
): RuleOutcome {
  const members = indexBy(rule.members);
  const allocations = children.map((child) => {
    const amount = members.get(child.childId)?.amount ?? 0n;
    return {
      childId: child.childId,
      amount,
      explanation: { contributions: [{ criterion: 'static' as const, amount }], boundBy: null },
    };
  });
  const unallocated =
    distributable - sumBigints(allocations.map((allocation) => allocation.amount));
  return {
    children: allocations,
    unallocated,
    unallocatedReasons: unallocated > 0n ? ['STATIC_REMAINDER'] : [],
  };
}
