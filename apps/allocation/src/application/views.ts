// What the services answer: plain JSON-ready objects (amounts as decimal strings, instants ISO).
import type { Dimension } from '@plafond/contracts';
import type { JsonValue } from '@plafond/ledger';
import type {
  AllocatedUnit,
  BudgetMode,
  BudgetPeriod,
  BudgetState,
  UnitRecord,
  UseCaseRecord,
  UsefulnessClass,
} from '../domain';
import type { WeightValue } from '../domain/criteria';

export interface UnitView {
  unitId: string;
  parentId: string | null;
  name: string;
  archived: boolean;
  children: string[];
  /** In the order they were set; values are integer or decimal strings, null = removed. */
  attributeVersions: { effectiveFrom: string; values: Record<string, string | null> }[];
}

export type UsefulnessClassView = UsefulnessClass;
export type UseCaseView = UseCaseRecord;

export interface BudgetView {
  budgetId: string;
  status: 'open' | 'closed';
  perimeterUnitId: string;
  dimension: Dimension;
  period: BudgetPeriod;
  ceiling: string;
  /** Σ of the allocation rounds (≤ ceiling). */
  allocated: string;
  mode: BudgetMode;
  thresholdsBasisPoints: number[];
}

export interface AllocationPreviewView {
  budgetId: string;
  amount: string;
  /** Parents before children; each with its explanation and what its own account receives. */
  units: AllocatedUnit[];
}

export interface AllocationView extends AllocationPreviewView {
  allocationId: string;
  /** The policies, as parsed and re-serialised (canonical JSON form). */
  policies: JsonValue;
}

export interface TransferView {
  budgetId: string;
  transferId: string;
  fromUnitId: string;
  toUnitId: string;
  amount: string;
  reason: string;
  actor: string;
}

export type ReservationStatusName = 'pending' | 'committed' | 'released' | 'expired';

export interface ReservationView {
  reservationId: string;
  budgetId: string;
  unitId: string;
  dimension: string;
  useCase: string;
  usefulnessClass: string;
  amount: string;
  status: ReservationStatusName;
  /** Committed reservations only. */
  committedAmount?: string;
  /** What went back to the unit: amount − committed, or all of it when released or expired. */
  releasedAmount?: string;
  expiresAt: string;
  /** The unit's available quota: right after the grant for a new reservation, now otherwise. */
  available: string;
}

/** A weight as text: `42`, or `1234.56` for { value: 123456n, scale: 2 }. */
export function weightText(value: WeightValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value.scale === 0) return value.value.toString();
  const digits = value.value.toString().padStart(value.scale + 1, '0');
  return `${digits.slice(0, -value.scale)}.${digits.slice(-value.scale)}`;
}

export function unitView(unit: UnitRecord): UnitView {
  return {
    unitId: unit.unitId,
    parentId: unit.parentId,
    name: unit.name,
    archived: unit.archived,
    children: [...unit.children],
    attributeVersions: unit.attributeVersions.map((version) => ({
      effectiveFrom: version.effectiveFrom,
      values: Object.fromEntries(
        Object.entries(version.values).map(([name, value]) => [
          name,
          value === null ? null : weightText(value),
        ]),
      ),
    })),
  };
}

export function budgetView(state: BudgetState): BudgetView {
  if (state.period === null) throw new Error('budget view of a budget that was never opened');
  return {
    budgetId: state.budgetId,
    status: state.status === 'closed' ? 'closed' : 'open',
    perimeterUnitId: state.perimeterUnitId,
    dimension: state.dimension,
    period: { ...state.period },
    ceiling: state.ceiling.toString(),
    allocated: state.allocated.toString(),
    mode: state.mode,
    thresholdsBasisPoints: [...state.thresholdsBasisPoints],
  };
}
