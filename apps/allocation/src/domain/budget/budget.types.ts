// One budget: a perimeter unit, a period, a dimension and a ceiling that can only go down while
// the period is open. Stream `budget-<budgetId>`. Types only; amounts are strings in events.
import type { Dimension } from '@plafond/contracts';
import type { JsonValue, Serialised, TreeAllocation, UnitAllocation } from '../criteria';
import type { Command } from '../shared/command';
import type { BudgetPeriod, PeriodSpec } from './period';

export type BudgetMode = 'hard' | 'soft';

export const DEFAULT_THRESHOLDS_BASIS_POINTS: readonly number[] = [5_000, 8_000, 10_000];

/** One unit's share in an allocation round, with the explanation from its parent's policy. */
export type AllocatedUnit = Pick<
  Serialised<UnitAllocation>,
  'unitId' | 'parentId' | 'depth' | 'amount' | 'explanation' | 'split'
> & {
  /**
   * What the unit's own account receives: a leaf keeps its whole amount; a parent keeps what its
   * policy held back or left unallocated (its contingency pool). Σ spendable = round amount.
   */
  spendable: string;
};

export type BudgetEvent =
  | {
      type: 'BudgetOpened';
      data: {
        budgetId: string;
        perimeterUnitId: string;
        dimension: Dimension;
        period: BudgetPeriod;
        ceiling: string;
        mode: BudgetMode;
        thresholdsBasisPoints: number[];
      };
    }
  | {
      type: 'UnusedQuotaReclaimed';
      data: {
        budgetId: string;
        reclaimId: string;
        total: string;
        reclaims: { unitId: string; amount: string; unused: string }[];
      };
    }
  | {
      type: 'CeilingLowered';
      data: {
        budgetId: string;
        previousCeiling: string;
        ceiling: string;
        allocated: string;
        reason: string | null;
      };
    }
  | {
      type: 'BudgetAllocated';
      data: {
        budgetId: string;
        allocationId: string;
        amount: string;
        unitCount: number;
        /** UnitsAllocated events that follow, each with up to DOMAIN_LIMITS.unitsPerAllocationEvent units. */
        parts: number;
        /** The policies the preview was computed with, as the caller serialised them. */
        policies: JsonValue;
      };
    }
  | {
      type: 'UnitsAllocated';
      data: { budgetId: string; allocationId: string; part: number; units: AllocatedUnit[] };
    }
  | {
      type: 'QuotaTransferred';
      data: {
        budgetId: string;
        transferId: string;
        fromUnitId: string;
        toUnitId: string;
        amount: string;
        reason: string;
        actor: string;
      };
    }
  | {
      type: 'PeriodClosed';
      data: {
        budgetId: string;
        ceiling: string;
        allocated: string;
        closedEarly: boolean;
        reason: string | null;
      };
    };

export interface OpenBudgetData {
  budgetId: string;
  perimeterUnitId: string;
  dimension: Dimension;
  period: PeriodSpec;
  /** IANA time zone of the period boundaries; default UTC. */
  timeZone?: string;
  ceiling: bigint;
  mode?: BudgetMode;
  thresholdsBasisPoints?: readonly number[];
}

export interface LowerCeilingData {
  /** Client-chosen id of this change; names the reclaim when one happens. */
  changeId: string;
  ceiling: bigint;
  reason?: string;
  /** Take unused quota back from the units when the new ceiling is below what is allocated. */
  reclaimUnused?: boolean;
  /** Each unit's unused quota (allocated − reserved − committed within allocation), read from its account. */
  unusedByUnit?: Readonly<Record<string, bigint>>;
}

export interface AllocateData {
  allocationId: string;
  /** The criteria's `preview` for the perimeter's tree, with the amount to allocate. */
  preview: TreeAllocation;
  policies: JsonValue;
}

export interface TransferData {
  transferId: string;
  fromUnitId: string;
  toUnitId: string;
  amount: bigint;
  reason: string;
  actor: string;
}

export type BudgetCommand =
  | Command<'OpenBudget', OpenBudgetData>
  | Command<'LowerCeiling', LowerCeilingData>
  | Command<'AllocateBudget', AllocateData>
  | Command<'TransferQuota', TransferData>
  | Command<'ClosePeriod', { closeEarly?: boolean; reason?: string }>;

export interface BudgetState {
  status: 'none' | 'open' | 'closed';
  budgetId: string;
  perimeterUnitId: string;
  dimension: Dimension;
  period: BudgetPeriod | null;
  ceiling: bigint;
  mode: BudgetMode;
  thresholdsBasisPoints: number[];
  /** Σ of allocation rounds; ≤ ceiling. */
  allocated: bigint;
  /** Each unit's spendable allocation, after transfers and reclaims; Σ = allocated once a round's parts are in. */
  units: Record<string, bigint>;
  unitsTotal: bigint;
  /** allocationId → round amount, for retries. */
  rounds: Record<string, string>;
  roundCount: number;
}
