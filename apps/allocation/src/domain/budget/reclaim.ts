// How a lowered ceiling takes quota back: only unused quota (never what is reserved or consumed),
// from every unit in proportion to its unused quota, Hamilton-rounded (ties by unit id), so each
// unit gives up the same share of its slack and the parts sum exactly to what is needed.
import { largestRemainder } from '../criteria';
import { DOMAIN_ERROR_CODES, invariant, refuse } from '../shared/domain-error';
import { lookup } from '../shared/records';
import { invalid, requireAmount, sumAmounts } from '../shared/values';

export interface ReclaimPart {
  unitId: string;
  amount: bigint;
  unused: bigint;
}

export function planReclaim(
  allocations: Readonly<Record<string, bigint>>,
  unusedByUnit: Readonly<Record<string, bigint>>,
  needed: bigint,
  context: { allocated: bigint; ceiling: bigint },
): ReclaimPart[] {
  const entries = Object.entries(unusedByUnit).map(([unitId, value]) => {
    const unused = requireAmount(value, `unusedByUnit.${unitId}`);
    const allocated = lookup(allocations, unitId);
    if (allocated === undefined)
      invalid(`unusedByUnit.${unitId}`, 'unit has no allocation in this budget');
    if (unused > allocated) invalid(`unusedByUnit.${unitId}`, "exceeds the unit's allocation");
    return { id: unitId, weight: unused };
  });
  const reclaimable = sumAmounts(entries.map((entry) => entry.weight));
  if (reclaimable < needed)
    refuse(DOMAIN_ERROR_CODES.ceilingBelowAllocated, 'not enough unused quota to reclaim', {
      allocated: context.allocated.toString(),
      ceiling: context.ceiling.toString(),
      needed: needed.toString(),
      reclaimable: reclaimable.toString(),
    });
  const { parts, undistributed } = largestRemainder(needed, entries);
  invariant(undistributed === 0n || needed === 0n, 'reclaim left an amount undistributed');
  const plan = parts
    .map((part, index) => ({
      unitId: part.id,
      amount: part.amount,
      unused: entries[index]?.weight ?? 0n,
    }))
    .filter((part) => part.amount > 0n);
  for (const part of plan)
    invariant(part.amount <= part.unused, "reclaim takes more than a unit's unused quota", {
      unitId: part.unitId,
    });
  invariant(
    sumAmounts(plan.map((part) => part.amount)) === needed,
    'reclaim does not sum to what is needed',
  );
  return plan;
}
