// An allocation round commits a criteria `preview`: the amounts and their explanations go into
// the events, so "why did my team get this?" is answered from the ledger, not recomputed.
import type { TreeAllocation, UnitAllocation } from '../criteria';
import { serialise } from '../criteria';
import { DOMAIN_ERROR_CODES, invariant, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup } from '../shared/records';
import { amountText, requireAmount, requireId, sumAmounts } from '../shared/values';
import type { AllocateData, AllocatedUnit, BudgetEvent, BudgetState } from './budget.types';

/** A leaf spends what it received; a parent spends only what its policy kept (contingency, remainder). */
export function spendableOf(unit: UnitAllocation): bigint {
  return unit.split === null ? unit.amount : unit.split.heldBack + unit.split.unallocated;
}

function toAllocatedUnit(unit: UnitAllocation): AllocatedUnit {
  const { unitId, parentId, depth, amount, explanation, split } = serialise(unit);
  return {
    unitId,
    parentId,
    depth,
    amount,
    explanation,
    split,
    spendable: amountText(spendableOf(unit)),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    result.push(items.slice(start, start + size));
  return result;
}

function checkPreview(state: BudgetState, preview: TreeAllocation): bigint {
  if (preview.rootId !== state.perimeterUnitId)
    refuse(
      DOMAIN_ERROR_CODES.allocationRootMismatch,
      "the allocation must start at the budget's perimeter unit",
      {
        perimeterUnitId: state.perimeterUnitId,
        rootId: String(preview.rootId),
      },
    );
  const amount = requireAmount(preview.amount, 'preview.amount');
  if (state.allocated + amount > state.ceiling)
    refuse(DOMAIN_ERROR_CODES.allocationExceedsCeiling, 'the allocation would pass the ceiling', {
      budgetId: state.budgetId,
      ceiling: state.ceiling.toString(),
      allocated: state.allocated.toString(),
      requested: amount.toString(),
      unallocated: (state.ceiling - state.allocated).toString(),
    });
  return amount;
}

export function decideAllocation(state: BudgetState, data: AllocateData): BudgetEvent[] {
  const allocationId = requireId(data.allocationId, 'allocationId');
  const previous = lookup(state.rounds, allocationId);
  if (previous !== undefined) {
    if (previous === String(data.preview?.amount)) return []; // a retry
    refuse(
      DOMAIN_ERROR_CODES.idempotencyConflict,
      `allocation "${allocationId}" was made with another amount`,
      {
        allocationId,
        amount: previous,
      },
    );
  }
  if (state.roundCount >= DOMAIN_LIMITS.allocationRounds)
    refuse(DOMAIN_ERROR_CODES.allocationLimitExceeded, 'too many allocation rounds', {
      limit: DOMAIN_LIMITS.allocationRounds,
    });
  const amount = checkPreview(state, data.preview);
  const units = Object.values(data.preview.units);
  invariant(
    sumAmounts(units.map(spendableOf)) === amount,
    'preview units do not spend exactly the allocated amount',
    { allocationId },
  );
  const parts = chunks(units.map(toAllocatedUnit), DOMAIN_LIMITS.unitsPerAllocationEvent);
  const { budgetId } = state;
  return [
    {
      type: 'BudgetAllocated',
      data: {
        budgetId,
        allocationId,
        amount: amountText(amount),
        unitCount: units.length,
        parts: parts.length,
        policies: data.policies ?? null,
      },
    },
    ...parts.map((part, index): BudgetEvent => ({
      type: 'UnitsAllocated',
      data: { budgetId, allocationId, part: index, units: part },
    })),
  ];
}
