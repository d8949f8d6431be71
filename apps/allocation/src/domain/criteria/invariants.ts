// Checks run on every computed split before it leaves the criteria (TigerBeetle-style: assert
// on write; the ledger asserts again on read). A failure is a defect, so it throws.
import { invariant } from './errors';
import { indexBy, minBigint, sumBigints } from './rule-outcome';
import type {
  AllocationPolicy,
  ChildAllocation,
  FairShareMember,
  NodeAllocation,
  TierMember,
} from './types';

function contributionTotal(child: ChildAllocation): bigint {
  return sumBigints(child.explanation.contributions.map((contribution) => contribution.amount));
}

function assertBounds(
  child: ChildAllocation,
  member: { cap?: bigint; demand?: bigint } | undefined,
): void {
  const details = { childId: child.childId, amount: child.amount.toString() };
  if (member?.cap !== undefined) invariant(child.amount <= member.cap, 'cap exceeded', details);
  if (member?.demand !== undefined)
    invariant(child.amount <= member.demand, 'demand exceeded', details);
}

/** Floors hold whenever they fit in what was distributable (the infeasible case has its own rule). */
function assertFloors(
  distributable: bigint,
  children: readonly ChildAllocation[],
  members: readonly (TierMember | FairShareMember)[],
): void {
  const byId = indexBy(members);
  const owed = (member: TierMember | FairShareMember): bigint =>
    'demand' in member ? minBigint(member.floor ?? 0n, member.demand) : (member.floor ?? 0n);
  if (sumBigints(members.map(owed)) > distributable) return;
  for (const child of children) {
    const member = byId.get(child.childId);
    if (member === undefined) continue;
    invariant(child.amount >= owed(member), 'floor not honoured', { childId: child.childId });
  }
}

export function assertNodeAllocation(allocation: NodeAllocation, policy: AllocationPolicy): void {
  const parts = sumBigints(allocation.children.map((child) => child.amount));
  invariant(allocation.heldBack >= 0n && allocation.unallocated >= 0n, 'negative pool');
  invariant(
    parts + allocation.heldBack + allocation.unallocated === allocation.amount,
    'split does not conserve the amount',
    {
      amount: allocation.amount.toString(),
      parts: parts.toString(),
      heldBack: allocation.heldBack.toString(),
      unallocated: allocation.unallocated.toString(),
    },
  );
  const { rule } = policy;
  const members: readonly { childId: string; cap?: bigint; demand?: bigint }[] =
    rule.kind === 'tiers' || rule.kind === 'fairShare' ? rule.members : [];
  const byId = indexBy(members);
  for (const child of allocation.children) {
    invariant(child.amount >= 0n, 'negative part', { childId: child.childId });
    invariant(contributionTotal(child) === child.amount, 'explanation does not add up', {
      childId: child.childId,
    });
    assertBounds(child, byId.get(child.childId));
  }
  if (rule.kind === 'tiers' || rule.kind === 'fairShare') {
    assertFloors(allocation.amount - allocation.heldBack, allocation.children, rule.members);
  }
}
