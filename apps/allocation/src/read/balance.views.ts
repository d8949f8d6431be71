// JSON-ready answers of the balance queries: amounts as decimal integer strings (in the
// dimension's base unit), never JavaScript numbers.
import type { Dimension } from '@plafond/contracts';
import type { BalanceTotals, UnitBalance } from '../domain';

export interface BalanceFigures {
  allocated: string;
  reserved: string;
  committed: string;
  /** allocated − reserved − committed within the allocation (never negative). */
  available: string;
  /** Usage beyond the allocation (recorded debt, never shrinks). */
  overrun: string;
}

export interface UnitBalanceFigures extends BalanceFigures {
  budgetId: string;
  unitId: string;
  blocked: boolean;
  closed: boolean;
  /** The unit and every unit below it (present when rolled up). */
  subtree?: BalanceFigures;
}

export interface UnitBalanceReport extends UnitBalanceFigures {
  dimension: Dimension;
  /** The asOf asked for (`position:<n>` or an ISO instant), null for now. */
  asOf: string | null;
}

export interface BudgetBalancesReport {
  budgetId: string;
  perimeterUnitId: string;
  dimension: Dimension;
  status: 'open' | 'closed';
  asOf: string | null;
  /** Σ of every account of the budget (units moved out of the perimeter included). */
  totals: BalanceFigures;
  /**
   * The perimeter's units in tree order (parents first; archived units only when they or a
   * descendant hold an account), then accounts of units outside the perimeter by unit id.
   */
  units: UnitBalanceFigures[];
}

export const figuresOf = (totals: BalanceTotals): BalanceFigures => ({
  allocated: totals.allocated.toString(),
  reserved: totals.reserved.toString(),
  committed: totals.committed.toString(),
  available: totals.available.toString(),
  overrun: totals.overrun.toString(),
});

export function unitFigures(
  budgetId: string,
  unitId: string,
  balance: UnitBalance | undefined,
  own: BalanceTotals,
  subtree: BalanceTotals | undefined,
): UnitBalanceFigures {
  return {
    budgetId,
    unitId,
    ...figuresOf(own),
    blocked: balance?.blocked ?? false,
    closed: balance?.closed ?? false,
    ...(subtree === undefined ? {} : { subtree: figuresOf(subtree) }),
  };
}
