import { ALLOCATION_LIMITS } from './limits';
import type { Contingency } from './types';

/**
 * The pool a parent keeps for itself before its rule runs. A share is rounded down, so the
 * children never lose a unit to rounding in the parent's favour beyond the stated basis points.
 * An absolute amount larger than the node's amount is refused by validation, never clipped.
 */
export function contingencyAmount(amount: bigint, contingency: Contingency | undefined): bigint {
  if (contingency === undefined) return 0n;
  if ('basisPoints' in contingency) {
    return (amount * BigInt(contingency.basisPoints)) / BigInt(ALLOCATION_LIMITS.basisPointsTotal);
  }
  return contingency.amount;
}
