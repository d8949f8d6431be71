import type { ChildAllocation, UnallocatedReason } from './types';

/** What a rule produces from the distributable amount (after the contingency is held back). */
export interface RuleOutcome {
  /** In the order the children were given. */
  children: ChildAllocation[];
  unallocated: bigint;
  unallocatedReasons: UnallocatedReason[];
}

const REASON_ORDER: readonly UnallocatedReason[] = [
  'STATIC_REMAINDER',
  'ALL_WEIGHTS_ZERO',
  'CAPS_REACHED',
  'DEMAND_SATISFIED',
  'NO_CHILDREN',
];

/** Each reason once, in one fixed order, so the result never depends on the order of children. */
export function uniqueReasons(reasons: readonly (UnallocatedReason | null)[]): UnallocatedReason[] {
  return REASON_ORDER.filter((reason) => reasons.includes(reason));
}

export function indexBy<T extends { childId: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.childId, item]));
}

export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function sumBigints(values: readonly bigint[]): bigint {
  return values.reduce((sum, value) => sum + value, 0n);
}
