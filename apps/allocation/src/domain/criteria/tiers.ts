import { invariant } from './errors';
import { largestRemainder, splitWithRoom } from './largest-remainder';
import type { RuleOutcome } from './rule-outcome';
import { indexBy, sumBigints, uniqueReasons } from './rule-outcome';
import type { AllocationChild, BoundBy, Contribution, TierMember, TiersRule } from './types';
import { attributeOf, normaliseWeights } from './weight-value';

interface Placed {
  child: AllocationChild;
  member: TierMember;
  rank: number;
  weight: bigint;
  floorGranted: bigint;
  share: bigint;
}

/**
 * Floors first, by priority: when the floors together exceed the amount, tiers are served in
 * priority order and the first tier that cannot be fully served splits what is left in
 * proportion to its members' floors (largest remainder); lower tiers get nothing.
 */
function grantFloors(amount: bigint, placed: readonly Placed[], tierCount: number): void {
  let remaining = amount;
  for (let rank = 0; rank < tierCount; rank += 1) {
    const tier = placed.filter((entry) => entry.rank === rank);
    const floors = sumBigints(tier.map((entry) => entry.member.floor ?? 0n));
    if (floors <= remaining) {
      for (const entry of tier) entry.floorGranted = entry.member.floor ?? 0n;
      remaining -= floors;
      continue;
    }
    const split = largestRemainder(
      remaining,
      tier.map((entry) => ({ id: entry.child.childId, weight: entry.member.floor ?? 0n })),
    );
    tier.forEach((entry, index) => (entry.floorGranted = split.parts[index]?.amount ?? 0n));
    remaining = 0n;
  }
}

/** The remainder after floors, by tier priority or by weight × tier multiplier; caps bound both. */
function splitRemainder(
  rest: bigint,
  placed: readonly Placed[],
  rule: TiersRule,
): RuleOutcome['unallocatedReasons'] {
  const roomOf = (entry: Placed): bigint | null =>
    entry.member.cap === undefined ? null : entry.member.cap - entry.floorGranted;
  const groups =
    rule.mode === 'priority'
      ? rule.tiers.map((_, rank) => placed.filter((entry) => entry.rank === rank))
      : [placed];
  const reasons: RuleOutcome['unallocatedReasons'] = [];
  let remaining = rest;
  for (const group of groups) {
    if (group.length === 0) continue; // a declared tier nobody belongs to
    const split = splitWithRoom(
      remaining,
      group.map((entry) => ({
        id: entry.child.childId,
        weight: entry.weight,
        room: roomOf(entry),
      })),
    );
    group.forEach((entry, index) => (entry.share = split.parts[index]?.amount ?? 0n));
    if (split.reason !== null) reasons.push(split.reason);
    remaining = split.undistributed;
  }
  return remaining > 0n ? uniqueReasons(reasons) : [];
}

function boundByOf(entry: Placed): BoundBy {
  const amount = entry.floorGranted + entry.share;
  if (entry.member.cap !== undefined && amount === entry.member.cap) return 'cap';
  if ((entry.member.floor ?? 0n) > 0n && entry.share === 0n) return 'floor';
  return null;
}

function contributionsOf(entry: Placed, rule: TiersRule): Contribution[] {
  const floor = entry.member.floor ?? 0n;
  const contributions: Contribution[] = [];
  if (floor > 0n) {
    contributions.push({
      criterion: 'floor',
      floor,
      amount: entry.floorGranted,
      shortfall: floor - entry.floorGranted,
    });
  }
  contributions.push({
    criterion: 'tier',
    tier: entry.member.tier,
    rank: entry.rank,
    weight: entry.weight,
    amount: entry.share,
  });
  invariant(rule.tiers[entry.rank]?.tier === entry.member.tier, 'tier rank mismatch');
  return contributions;
}

/** Priority tiers by usefulness class with guaranteed floors (see README for the exact rule). */
export function allocateTiers(
  distributable: bigint,
  children: readonly AllocationChild[],
  rule: TiersRule,
): RuleOutcome {
  const members = indexBy(rule.members);
  const rankOf = new Map(rule.tiers.map((tier, rank) => [tier.tier, rank]));
  const rawWeights = normaliseWeights(
    children.map((child) =>
      rule.weightAttribute === undefined
        ? 1n
        : (attributeOf(child.attributes, rule.weightAttribute) ?? 0n),
    ),
  );
  const placed: Placed[] = children.map((child, index) => {
    const member = members.get(child.childId) as TierMember;
    const rank = rankOf.get(member.tier) as number;
    const multiplier = rule.mode === 'weighted' ? (rule.tiers[rank]?.multiplier ?? 1n) : 1n;
    return {
      child,
      member,
      rank,
      weight: (rawWeights[index] ?? 0n) * multiplier,
      floorGranted: 0n,
      share: 0n,
    };
  });
  grantFloors(distributable, placed, rule.tiers.length);
  const rest = distributable - sumBigints(placed.map((entry) => entry.floorGranted));
  const unallocatedReasons = splitRemainder(rest, placed, rule);
  const allocations = placed.map((entry) => ({
    childId: entry.child.childId,
    amount: entry.floorGranted + entry.share,
    explanation: { contributions: contributionsOf(entry, rule), boundBy: boundByOf(entry) },
  }));
  const unallocated =
    distributable - sumBigints(allocations.map((allocation) => allocation.amount));
  return { children: allocations, unallocated, unallocatedReasons };
}
