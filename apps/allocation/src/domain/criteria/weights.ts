import { largestRemainder } from './largest-remainder';
import type { RuleOutcome } from './rule-outcome';
import { sumBigints } from './rule-outcome';
import type { AllocationChild, Contribution, WeightsRule } from './types';
import { attributeOf, normaliseWeights } from './weight-value';

/**
 * Splits the distributable amount among the weight components by their basis points, then
 * each component among the children by the named attribute, both with largest-remainder
 * rounding. A component whose weights are all zero cannot be split: its amount stays at the
 * parent as `unallocated` (ALL_WEIGHTS_ZERO) rather than being spread by a rule nobody chose.
 */
export function allocateWeights(
  distributable: bigint,
  children: readonly AllocationChild[],
  rule: WeightsRule,
): RuleOutcome {
  const componentAmounts = largestRemainder(
    distributable,
    rule.components.map((component) => ({
      id: component.attribute,
      weight: BigInt(component.basisPoints),
    })),
  ).parts;
  const contributions: Contribution[][] = children.map(() => []);
  let unallocated = 0n;
  rule.components.forEach((component, componentIndex) => {
    const componentAmount = componentAmounts[componentIndex]?.amount ?? 0n;
    const weights = normaliseWeights(
      children.map((child) => attributeOf(child.attributes, component.attribute) ?? 0n),
    );
    const totalWeight = sumBigints(weights);
    const split = largestRemainder(
      componentAmount,
      children.map((child, index) => ({ id: child.childId, weight: weights[index] ?? 0n })),
    );
    unallocated += split.undistributed;
    split.parts.forEach((part, index) => {
      contributions[index]?.push({
        criterion: 'weight',
        attribute: component.attribute,
        weight: weights[index] ?? 0n,
        totalWeight,
        componentAmount,
        amount: part.amount,
        roundedUp: part.roundedUp,
      });
    });
  });
  return {
    children: children.map((child, index) => {
      const own = contributions[index] ?? [];
      return {
        childId: child.childId,
        amount: sumBigints(own.map((contribution) => contribution.amount)),
        explanation: { contributions: own, boundBy: null },
      };
    }),
    unallocated,
    unallocatedReasons: unallocated > 0n ? ['ALL_WEIGHTS_ZERO'] : [],
  };
}
