import { unreachable } from '../shared/command';
import { invariant } from '../shared/domain-error';
import { lookup, setOwn, withEntry } from '../shared/records';
import { amountOf, sumAmounts } from '../shared/values';
import type { BudgetEvent, BudgetState } from './budget.types';

export const initialBudgetState = (): BudgetState => ({
  status: 'none',
  budgetId: '',
  perimeterUnitId: '',
  dimension: 'energy',
  period: null,
  ceiling: 0n,
  mode: 'hard',
  thresholdsBasisPoints: [],
  allocated: 0n,
  units: {},
  unitsTotal: 0n,
  rounds: {},
  roundCount: 0,
});

/** Asserted after every event (read side); decide asserts the same by folding what it emits. */
export function assertBudgetInvariants(state: BudgetState): void {
  invariant(state.allocated <= state.ceiling, 'budget allocated beyond its ceiling', {
    budgetId: state.budgetId,
    allocated: state.allocated.toString(),
    ceiling: state.ceiling.toString(),
  });
  invariant(state.unitsTotal <= state.allocated, 'units hold more than the budget allocated', {
    budgetId: state.budgetId,
  });
}

function addToUnits(
  units: Readonly<Record<string, bigint>>,
  changes: readonly { unitId: string; delta: bigint }[],
): Record<string, bigint> {
  const next: Record<string, bigint> = { ...units };
  for (const { unitId, delta } of changes) {
    const value = (lookup(next, unitId) ?? 0n) + delta;
    invariant(value >= 0n, 'unit allocation would go negative', { unitId });
    setOwn(next, unitId, value);
  }
  return next;
}

type EventOf<Type extends BudgetEvent['type']> = Extract<BudgetEvent, { type: Type }>;

function onOpened(state: BudgetState, { data }: EventOf<'BudgetOpened'>): BudgetState {
  invariant(state.status === 'none', 'budget opened twice', { budgetId: data.budgetId });
  const { budgetId, perimeterUnitId, dimension, period, mode, thresholdsBasisPoints } = data;
  const ceiling = amountOf(data.ceiling, 'ceiling');
  const opened = { budgetId, perimeterUnitId, dimension, period, mode, thresholdsBasisPoints };
  return { ...state, ...opened, status: 'open', ceiling };
}

/** Quota moving between the budget's units (allocations, reclaims, transfers), as signed deltas. */
function moveQuota(
  state: BudgetState,
  parts: readonly { unitId: string; delta: bigint }[],
  change: { allocated: bigint; unitsTotal: bigint },
): BudgetState {
  return {
    ...state,
    units: addToUnits(state.units, parts),
    allocated: state.allocated + change.allocated,
    unitsTotal: state.unitsTotal + change.unitsTotal,
  };
}

function onReclaimed(state: BudgetState, { data }: EventOf<'UnusedQuotaReclaimed'>): BudgetState {
  const parts = data.reclaims.map((part) => ({
    unitId: part.unitId,
    delta: -amountOf(part.amount, 'amount'),
  }));
  const total = amountOf(data.total, 'total');
  const sum = -sumAmounts(parts.map((part) => part.delta));
  invariant(sum === total, 'reclaim parts do not sum to its total', { reclaimId: data.reclaimId });
  return moveQuota(state, parts, { allocated: -total, unitsTotal: -total });
}

function onTransferred(state: BudgetState, { data }: EventOf<'QuotaTransferred'>): BudgetState {
  const amount = amountOf(data.amount, 'amount');
  invariant(
    lookup(state.units, data.toUnitId) !== undefined,
    'transfer to a unit outside the budget',
    {
      toUnitId: data.toUnitId,
    },
  );
  const parts = [
    { unitId: data.fromUnitId, delta: -amount },
    { unitId: data.toUnitId, delta: amount },
  ];
  return moveQuota(state, parts, { allocated: 0n, unitsTotal: 0n });
}

function apply(state: BudgetState, event: BudgetEvent): BudgetState {
  switch (event.type) {
    case 'BudgetOpened':
      return onOpened(state, event);
    case 'UnusedQuotaReclaimed':
      return onReclaimed(state, event);
    case 'CeilingLowered': {
      const ceiling = amountOf(event.data.ceiling, 'ceiling');
      invariant(ceiling <= state.ceiling, 'a ceiling was raised', { budgetId: state.budgetId });
      return { ...state, ceiling };
    }
    case 'BudgetAllocated': {
      const amount = amountOf(event.data.amount, 'amount');
      const rounds = withEntry(state.rounds, event.data.allocationId, event.data.amount);
      const allocated = state.allocated + amount;
      return { ...state, allocated, rounds, roundCount: state.roundCount + 1 };
    }
    case 'UnitsAllocated': {
      const parts = event.data.units.map((unit) => ({
        unitId: unit.unitId,
        delta: amountOf(unit.spendable, 'spendable'),
      }));
      const total = sumAmounts(parts.map((part) => part.delta));
      return moveQuota(state, parts, { allocated: 0n, unitsTotal: total });
    }
    case 'QuotaTransferred':
      return onTransferred(state, event);
    case 'PeriodClosed':
      return { ...state, status: 'closed' };
    default:
      return unreachable(event, 'budget event');
  }
}

export function evolveBudget(state: BudgetState, event: BudgetEvent): BudgetState {
  const next = apply(state, event);
  assertBudgetInvariants(next);
  return next;
}
