// Public events of the allocation service, v1: what its Kafka relay publishes on
// plafond.allocation.events.v1 for ingestion and billing. `data` is the ledger event's data as
// stored (amounts as decimal integer strings in the budget dimension's base unit); these types
// mirror apps/allocation/src/domain/*/*.types.ts, which contracts must not import.
import type { Dimension } from '../dimensions';

/** CloudEvents `source` of everything the allocation service publishes. */
export const ALLOCATION_EVENTS_SOURCE = '/plafond/allocation';

/**
 * Ledger event type → CloudEvents `type` (`org.plafond.allocation.<snake_case>.v1`), for the
 * public events only. A ledger type missing here stays inside the service (reservations:
 * `QuotaReserved`, `ReservationCommitted`, `ReservationReleased`, `ReservationExpired`; and
 * bookkeeping: `AccountOpened`, `BudgetAllocated`, `QuotaTransferredOut`, `QuotaTransferredIn`,
 * `QuotaReclaimed`), see docs/events.md.
 */
export const ALLOCATION_EVENT_TYPES_V1 = {
  UnitCreated: 'org.plafond.allocation.unit_created.v1',
  UnitRenamed: 'org.plafond.allocation.unit_renamed.v1',
  UnitMoved: 'org.plafond.allocation.unit_moved.v1',
  UnitArchived: 'org.plafond.allocation.unit_archived.v1',
  UnitAttributesSet: 'org.plafond.allocation.unit_attributes_set.v1',
  UsefulnessClassDefined: 'org.plafond.allocation.usefulness_class_defined.v1',
  UsefulnessClassRuleChanged: 'org.plafond.allocation.usefulness_class_rule_changed.v1',
  UseCaseRegistered: 'org.plafond.allocation.use_case_registered.v1',
  UseCaseReclassified: 'org.plafond.allocation.use_case_reclassified.v1',
  UseCaseRetired: 'org.plafond.allocation.use_case_retired.v1',
  BudgetOpened: 'org.plafond.allocation.budget_opened.v1',
  CeilingLowered: 'org.plafond.allocation.ceiling_lowered.v1',
  UnusedQuotaReclaimed: 'org.plafond.allocation.unused_quota_reclaimed.v1',
  UnitsAllocated: 'org.plafond.allocation.units_allocated.v1',
  QuotaAllocated: 'org.plafond.allocation.quota_allocated.v1',
  QuotaTransferred: 'org.plafond.allocation.quota_transferred.v1',
  PeriodClosed: 'org.plafond.allocation.period_closed.v1',
  UsageDebited: 'org.plafond.allocation.usage_debited.v1',
  OverrunRecorded: 'org.plafond.allocation.overrun_recorded.v1',
  UnitBlocked: 'org.plafond.allocation.unit_blocked.v1',
  UnitUnblocked: 'org.plafond.allocation.unit_unblocked.v1',
  ThresholdCrossed: 'org.plafond.allocation.threshold_crossed.v1',
  AccountClosed: 'org.plafond.allocation.account_closed.v1',
} as const;

/** Name of a public event in the allocation ledger, e.g. `UnitCreated`. */
export type AllocationEventNameV1 = keyof typeof ALLOCATION_EVENT_TYPES_V1;
/** CloudEvents type of a public allocation event, e.g. `org.plafond.allocation.unit_created.v1`. */
export type AllocationEventTypeV1 = (typeof ALLOCATION_EVENT_TYPES_V1)[AllocationEventNameV1];

export const ALLOCATION_EVENT_NAMES_V1 = Object.keys(
  ALLOCATION_EVENT_TYPES_V1,
) as readonly AllocationEventNameV1[];

const NAME_BY_TYPE = new Map<string, AllocationEventNameV1>(
  ALLOCATION_EVENT_NAMES_V1.map((name) => [ALLOCATION_EVENT_TYPES_V1[name], name]),
);

/** The CloudEvents type a ledger event is published under, or null if it stays internal. */
export function allocationEventTypeV1(ledgerType: string): AllocationEventTypeV1 | null {
  return Object.prototype.hasOwnProperty.call(ALLOCATION_EVENT_TYPES_V1, ledgerType)
    ? ALLOCATION_EVENT_TYPES_V1[ledgerType as AllocationEventNameV1]
    : null;
}

/** The ledger event name behind a CloudEvents type, or null if it is not a public v1 type. */
export function allocationEventNameV1(type: string): AllocationEventNameV1 | null {
  return NAME_BY_TYPE.get(type) ?? null;
}

export function isAllocationEventTypeV1(type: unknown): type is AllocationEventTypeV1 {
  return typeof type === 'string' && NAME_BY_TYPE.has(type);
}

// ---- Shared shapes -------------------------------------------------------------------------

/** A non-negative decimal integer string (JSON numbers lose precision past 2^53). */
export type DecimalString = string;
/** ISO-8601 UTC instant. */
export type InstantString = string;
/** A weight: a decimal integer string, or an exact decimal `value × 10^-scale`. */
export type AttributeWeightV1 = DecimalString | { value: DecimalString; scale: number };
export type BudgetModeV1 = 'hard' | 'soft';

export type ClassRuleV1 =
  | { kind: 'allowed'; capShareBasisPoints?: number; shedAboveUtilisationBasisPoints?: number }
  | { kind: 'prohibited' };

export interface BudgetPeriodV1 {
  kind: 'month' | 'range';
  /** `2026-03` for a month, `2026-03-01..2026-04-01` for a range. */
  key: string;
  /** IANA time zone of the boundaries. */
  timeZone: string;
  /** The period is [startsAt, endsAt). */
  startsAt: InstantString;
  endsAt: InstantString;
}

/** What one criterion contributed to a unit's amount (amounts as decimal strings). */
export type ContributionV1 =
  | { criterion: 'static'; amount: DecimalString }
  | { criterion: 'floor'; floor: DecimalString; amount: DecimalString; shortfall: DecimalString }
  | {
      criterion: 'weight';
      attribute: string;
      weight: DecimalString;
      totalWeight: DecimalString;
      componentAmount: DecimalString;
      amount: DecimalString;
      roundedUp: boolean;
    }
  | { criterion: 'tier'; tier: string; rank: number; weight: DecimalString; amount: DecimalString }
  | {
      criterion: 'fairShare';
      demand: DecimalString;
      level: DecimalString;
      amount: DecimalString;
      roundedUp: boolean;
    };

export interface AllocationExplanationV1 {
  contributions: ContributionV1[];
  boundBy: 'floor' | 'cap' | 'demand' | null;
}

export interface AllocationSplitV1 {
  criterion: 'static' | 'weights' | 'tiers' | 'fairShare';
  heldBack: DecimalString;
  unallocated: DecimalString;
  unallocatedReasons: string[];
}

export interface AllocatedUnitV1 {
  unitId: string;
  parentId: string | null;
  depth: number;
  /** The unit's subtree amount in this round. */
  amount: DecimalString;
  /** Why the parent's policy gave it that amount; null for the perimeter unit. */
  explanation: AllocationExplanationV1 | null;
  /** The unit's own split among its children; null for a leaf. */
  split: AllocationSplitV1 | null;
  /** What the unit's own account receives (leaf: everything; parent: its contingency pool). */
  spendable: DecimalString;
}

interface AccountRefV1 {
  budgetId: string;
  unitId: string;
}

export type DebitFlagV1 =
  | 'reservation_expired'
  | 'reservation_released'
  | 'reservation_committed'
  | 'reservation_unknown'
  | 'exceeded_reservation';

// ---- Event data ------------------------------------------------------------------------------

export interface UnitCreatedV1Data {
  unitId: string;
  parentId: string | null;
  name: string;
}
export interface UnitRenamedV1Data {
  unitId: string;
  name: string;
  previousName: string;
}
export interface UnitMovedV1Data {
  unitId: string;
  fromParentId: string | null;
  toParentId: string | null;
}
export interface UnitArchivedV1Data {
  unitId: string;
}
export interface UnitAttributesSetV1Data {
  unitId: string;
  /** YYYY-MM-DD from which these values hold. */
  effectiveFrom: string;
  /** Named weights; null removes the attribute from that date on. */
  attributes: Record<string, AttributeWeightV1 | null>;
}
export interface UsefulnessClassDefinedV1Data {
  className: string;
  description: string;
  rule: ClassRuleV1;
}
export interface UsefulnessClassRuleChangedV1Data {
  className: string;
  rule: ClassRuleV1;
}
export interface UseCaseRegisteredV1Data {
  useCase: string;
  className: string;
  description: string;
}
export interface UseCaseReclassifiedV1Data {
  useCase: string;
  fromClassName: string;
  toClassName: string;
}
export interface UseCaseRetiredV1Data {
  useCase: string;
}
export interface BudgetOpenedV1Data {
  budgetId: string;
  perimeterUnitId: string;
  dimension: Dimension;
  period: BudgetPeriodV1;
  ceiling: DecimalString;
  mode: BudgetModeV1;
  thresholdsBasisPoints: number[];
}
export interface CeilingLoweredV1Data {
  budgetId: string;
  previousCeiling: DecimalString;
  ceiling: DecimalString;
  /** Σ of allocation rounds after the change (reclaims included). */
  allocated: DecimalString;
  reason: string | null;
}
export interface UnusedQuotaReclaimedV1Data {
  budgetId: string;
  reclaimId: string;
  total: DecimalString;
  reclaims: { unitId: string; amount: DecimalString; unused: DecimalString }[];
}
export interface UnitsAllocatedV1Data {
  budgetId: string;
  allocationId: string;
  /** A round is published in parts of at most 200 units, numbered from 1. */
  part: number;
  units: AllocatedUnitV1[];
}
export interface QuotaAllocatedV1Data extends AccountRefV1 {
  allocationId: string;
  amount: DecimalString;
  /** The account's allocation after this round. */
  allocated: DecimalString;
}
export interface QuotaTransferredV1Data {
  budgetId: string;
  transferId: string;
  fromUnitId: string;
  toUnitId: string;
  amount: DecimalString;
  reason: string;
  actor: string;
}
export interface PeriodClosedV1Data {
  budgetId: string;
  ceiling: DecimalString;
  allocated: DecimalString;
  closedEarly: boolean;
  reason: string | null;
}
export interface UsageDebitedV1Data extends AccountRefV1 {
  usageId: string;
  amount: DecimalString;
  /** The part of `amount` beyond the allocation (announced by OverrunRecorded). */
  overrunAmount: DecimalString;
  useCase: string;
  usefulnessClass: string | null;
  reservationId: string | null;
  flag: DebitFlagV1 | null;
  occurredAt: InstantString | null;
}
export interface OverrunRecordedV1Data extends AccountRefV1 {
  usageId: string;
  amount: DecimalString;
  overrun: DecimalString;
  allocated: DecimalString;
  committed: DecimalString;
}
export interface UnitBlockedV1Data extends AccountRefV1 {
  reason: 'overrun';
}
export interface UnitUnblockedV1Data extends AccountRefV1 {
  reason: 'quota_transferred_in' | 'quota_allocated';
}
export interface ThresholdCrossedV1Data extends AccountRefV1 {
  thresholdBasisPoints: number;
  committed: DecimalString;
  allocated: DecimalString;
}
export interface AccountClosedV1Data extends AccountRefV1 {
  allocated: DecimalString;
  committed: DecimalString;
  overrun: DecimalString;
}

/** `data` of each public event, by ledger event name. */
export interface AllocationEventDataV1 {
  UnitCreated: UnitCreatedV1Data;
  UnitRenamed: UnitRenamedV1Data;
  UnitMoved: UnitMovedV1Data;
  UnitArchived: UnitArchivedV1Data;
  UnitAttributesSet: UnitAttributesSetV1Data;
  UsefulnessClassDefined: UsefulnessClassDefinedV1Data;
  UsefulnessClassRuleChanged: UsefulnessClassRuleChangedV1Data;
  UseCaseRegistered: UseCaseRegisteredV1Data;
  UseCaseReclassified: UseCaseReclassifiedV1Data;
  UseCaseRetired: UseCaseRetiredV1Data;
  BudgetOpened: BudgetOpenedV1Data;
  CeilingLowered: CeilingLoweredV1Data;
  UnusedQuotaReclaimed: UnusedQuotaReclaimedV1Data;
  UnitsAllocated: UnitsAllocatedV1Data;
  QuotaAllocated: QuotaAllocatedV1Data;
  QuotaTransferred: QuotaTransferredV1Data;
  PeriodClosed: PeriodClosedV1Data;
  UsageDebited: UsageDebitedV1Data;
  OverrunRecorded: OverrunRecordedV1Data;
  UnitBlocked: UnitBlockedV1Data;
  UnitUnblocked: UnitUnblockedV1Data;
  ThresholdCrossed: ThresholdCrossedV1Data;
  AccountClosed: AccountClosedV1Data;
}
