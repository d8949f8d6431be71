import { invariant } from './errors';
import { compareIds } from './largest-remainder';
import type { RuleOutcome } from './rule-outcome';
import { indexBy, maxBigint, minBigint, sumBigints, uniqueReasons } from './rule-outcome';
import type {
  AllocationChild,
  BoundBy,
  Contribution,
  FairShareMember,
  FairShareRule,
  UnallocatedReason,
} from './types';

interface Bounds {
  id: string;
  lower: bigint;
  upper: bigint;
}

interface Filled {
  parts: bigint[];
  roundedUp: boolean[];
  level: bigint;
}

function clamp(level: bigint, bounds: Bounds): bigint {
  return minBigint(maxBigint(level, bounds.lower), bounds.upper);
}

function filledAt(level: bigint, bounds: readonly Bounds[]): bigint {
  return sumBigints(bounds.map((entry) => clamp(level, entry)));
}

function bitLength(value: bigint): number {
  return value.toString(2).length;
}

/**
 * Exact integer water-filling: each entry gets clamp(L, lower, upper) for the highest integer
 * level L whose total fits, then the few units still left go one each to entries sitting at L
 * that can still grow, in id order. Requires Σ lower ≤ amount ≤ Σ upper.
 */
function waterFill(amount: bigint, bounds: readonly Bounds[]): Filled {
  const top = bounds.reduce((max, entry) => maxBigint(max, entry.upper), 0n);
  let low = 0n;
  let high = top;
  if (filledAt(top, bounds) <= amount) low = top;
  // Bisection keeps filledAt(low) ≤ amount < filledAt(high); it halves a gap of at most `top`.
  const maxSteps = bitLength(top) + 1;
  for (let step = 0; step < maxSteps && high - low > 1n; step += 1) {
    const middle = (low + high) / 2n;
    if (filledAt(middle, bounds) <= amount) low = middle;
    else high = middle;
  }
  invariant(low === top || high - low === 1n, 'water-filling did not converge');
  const parts = bounds.map((entry) => clamp(low, entry));
  const left = amount - sumBigints(parts);
  const growable = bounds
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.lower <= low && low < entry.upper)
    .sort((a, b) => compareIds(a.entry.id, b.entry.id));
  invariant(left >= 0n && left <= BigInt(growable.length), 'water-filling leftover out of range');
  const roundedUp = bounds.map(() => false);
  for (const { index } of growable.slice(0, Number(left))) {
    parts[index] = (parts[index] ?? 0n) + 1n;
    roundedUp[index] = true;
  }
  return { parts, roundedUp, level: low };
}

function boundByOf(
  amount: bigint,
  member: FairShareMember,
  bounds: Bounds,
  lifted: boolean,
): BoundBy {
  if (amount === bounds.upper) {
    return member.cap !== undefined && member.cap < member.demand ? 'cap' : 'demand';
  }
  return lifted ? 'floor' : null;
}

/**
 * Max-min fair share over declared demand. A child's floor is guaranteed up to its demand
 * (nobody receives more than it asked for), its cap bounds it, and what every demand and cap
 * together cannot absorb stays at the parent as `unallocated`. When the floors alone exceed the
 * amount, the amount is shared max-min fairly among the floors instead.
 */
export function allocateFairShare(
  distributable: bigint,
  children: readonly AllocationChild[],
  rule: FairShareRule,
): RuleOutcome {
  const members = indexBy(rule.members);
  const ordered = children.map((child) => members.get(child.childId) as FairShareMember);
  const bounds = ordered.map((member) => {
    const upper = minBigint(member.demand, member.cap ?? member.demand);
    return { id: member.childId, lower: minBigint(member.floor ?? 0n, upper), upper };
  });
  const lowerSum = sumBigints(bounds.map((entry) => entry.lower));
  const upperSum = sumBigints(bounds.map((entry) => entry.upper));
  const floorsFit = lowerSum <= distributable;
  const target = minBigint(distributable, upperSum);
  const filled = floorsFit
    ? waterFill(target, bounds)
    : waterFill(
        target,
        bounds.map((entry) => ({ id: entry.id, lower: 0n, upper: entry.lower })),
      );
  const allocations = ordered.map((member, index) => {
    const amount = filled.parts[index] ?? 0n;
    const entry = bounds[index] as Bounds;
    const towardFloor = minBigint(amount, entry.lower);
    const contributions: Contribution[] = [];
    if ((member.floor ?? 0n) > 0n) {
      contributions.push({
        criterion: 'floor',
        floor: member.floor ?? 0n,
        amount: towardFloor,
        shortfall: entry.lower - towardFloor,
      });
    }
    contributions.push({
      criterion: 'fairShare',
      demand: member.demand,
      level: filled.level,
      amount: amount - towardFloor,
      roundedUp: filled.roundedUp[index] ?? false,
    });
    const lifted = floorsFit ? entry.lower > filled.level : entry.lower > 0n;
    return {
      childId: member.childId,
      amount,
      explanation: { contributions, boundBy: boundByOf(amount, member, entry, lifted) },
    };
  });
  const unallocated = distributable - target;
  const reasons: (UnallocatedReason | null)[] = ordered.map((member) =>
    member.cap !== undefined && member.cap < member.demand ? 'CAPS_REACHED' : 'DEMAND_SATISFIED',
  );
  return {
    children: allocations,
    unallocated,
    unallocatedReasons: unallocated > 0n ? uniqueReasons(reasons) : [],
  };
}
