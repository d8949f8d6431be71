// Response shapes the console reads (docs/allocation-api.md, docs/billing-api.md and the
// services' auth/self). Amounts are decimal strings of integer micro-units.

export interface Permission {
  method: string;
  path: string;
}

export interface AuthSelf {
  service: string;
  keyId: string;
  name: string;
  role: string;
  scopeUnitId: string | null;
  permissions: Permission[];
}

export interface UnitNode {
  unitId: string;
  parentId: string | null;
  name: string;
  archived: boolean;
  depth: number;
  children: UnitNode[];
}

export interface Budget {
  budgetId: string;
  perimeterUnitId: string;
  dimension: string;
  period: { kind: string; key: string; timeZone: string; startsAt: string; endsAt: string };
  ceiling: string;
  /** Σ of the allocation rounds, ≤ ceiling. */
  allocated: string;
  status: string;
  mode: string;
  thresholdsBasisPoints: number[];
}

export interface BalanceFigures {
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
}

export interface UnitBalance extends BalanceFigures {
  budgetId: string;
  unitId: string;
  blocked: boolean;
  closed: boolean;
  subtree: BalanceFigures;
}

export interface Balances {
  budgetId: string;
  perimeterUnitId: string;
  dimension: string;
  status: string;
  asOf: string | null;
  totals: BalanceFigures;
  units: UnitBalance[];
}

export interface Contribution {
  criterion: string;
  attribute?: string;
  weight?: string;
  totalWeight?: string;
  componentAmount?: string;
  amount: string;
  roundedUp?: boolean;
  [extra: string]: unknown;
}

export interface Explanation {
  contributions: Contribution[];
  boundBy: string | { kind?: string; [extra: string]: unknown } | null;
  [extra: string]: unknown;
}

export interface Split {
  criterion: string;
  heldBack: string;
  unallocated: string;
  unallocatedReasons: unknown[];
  [extra: string]: unknown;
}

export interface AllocatedUnit {
  unitId: string;
  parentId: string | null;
  depth: number;
  amount: string;
  explanation: Explanation | null;
  split: Split | null;
  spendable: string;
}

export interface AllocationResult {
  budgetId: string;
  amount: string;
  allocationId?: string;
  policies?: Record<string, unknown>;
  units: AllocatedUnit[];
  [extra: string]: unknown;
}

export interface AllocationListItem {
  allocationId: string;
  amount: string;
  actor: string;
  occurredAt: string;
}

export interface AllocationList {
  budgetId: string;
  items: AllocationListItem[];
}

export interface BurnDown {
  budgetId: string;
  dimension: string;
  unitId: string;
  period: { startsAt: string; endsAt: string; timeZone: string };
  asOf: string;
  bucket: string;
  ceiling: string;
  allocated: string;
  points: { at: string; committed: string }[];
  units: { unitId: string; allocated: string; committed: string[] }[];
  projection: {
    committed: string;
    ratePerDay: string;
    projectedAtEnd: string;
    exhaustsAt: string | null;
  };
}

export interface HistoryEvent {
  position: string;
  streamId: string;
  version: string;
  type: string;
  data: unknown;
  actor: string | null;
  reason: string | null;
  correlationId: string | null;
  occurredAt: string;
  recordedAt: string;
}

// Billing (docs/billing-api.md) and scarcity (docs/allocation-api.md "Burn-down and scarcity").

export interface StatementGroup {
  usefulnessClass: string | null;
  model: string | null;
  kind: string;
  lines: number;
  requests: string;
  energyMicroWh: string;
  carbonMicroGrams: string;
  amountMicro: string;
  amount: string;
}

export interface StatementCurrency {
  currency: string;
  totalMicro: string;
  total: string;
  lines: number;
  groups: StatementGroup[];
}

export interface StatementTreeNode {
  unitId: string;
  name: string;
  parentId: string | null;
  depth: number;
  archived: boolean;
  own: Record<string, string>;
  subtree: Record<string, string>;
}

export interface StatementAdjustment {
  lineId: string;
  kind: string;
  unitId: string;
  servicePeriod: string;
  adjustsInvoice: string;
  currency: string;
  amountMicro: string;
  bookedAt: string;
}

export interface Statement {
  unitId: string;
  period: string;
  status: 'open' | 'closed';
  includeDescendants: boolean;
  currencies: StatementCurrency[];
  tree: StatementTreeNode[];
  adjustments: StatementAdjustment[];
}

export interface InvoiceSummary {
  invoiceNumber: string;
  period: string;
  sequence: number;
  unitId: string;
  currency: string;
  costCentre: string;
  totalMicro: string;
  total: string;
  lineCount: number;
  issuedAt: string;
  adjustsInvoices: string[];
}

export interface InvoiceLine {
  lineId: string;
  kind: string;
  unitId: string;
  useCase: string;
  usefulnessClass: string | null;
  model: string | null;
  servicePeriod: string;
  adjustsInvoice: string | null;
  occurredAt: string;
  requests: string;
  energyMicroWh: string;
  amountMicro: string;
}

export interface InvoiceDetail extends InvoiceSummary {
  groups: StatementGroup[];
  lines: InvoiceLine[];
}

export interface JournalExport {
  period: string;
  currency: string | null;
  lines: unknown[];
  totals: Record<
    string,
    { debitMicro: string; creditMicro: string; debit: string; credit: string }
  >;
}

export interface ReconciliationUnit {
  unitId: string;
  recordedEnergyMicroWh: string;
  recordedCarbonMicroGrams: string;
  billedEnergyMicroWh: string;
  billedCarbonMicroGrams: string;
  energyDifferenceMicroWh: string;
  carbonDifferenceMicroGrams: string;
  heldUnpriced: number;
  match: boolean;
}

export interface HeldUsage {
  usageId: string;
  unitId: string;
  currency: string;
  occurredAt: string;
  energyMicroWh: string;
  carbonMicroGrams: string;
}

export interface Reconciliation {
  period: string;
  status: 'match' | 'differences';
  units: ReconciliationUnit[];
  differences: ReconciliationUnit[];
  heldUsage: HeldUsage[];
}

export interface PeriodClose {
  period: {
    period: string;
    invoiceCount: number;
    firstInvoice: string | null;
    lastInvoice: string | null;
    totalsMicro: Record<string, string>;
  };
  invoices: InvoiceSummary[];
}

/** Refused reservations of one bucket, reason and usefulness class. */
export interface RefusalPoint {
  at: string;
  reason: string;
  usefulnessClass: string;
  count: number;
  requested: string;
}

export interface Refusals {
  budgetId: string;
  bucket: 'hour' | 'day';
  from: string;
  to: string;
  totals: {
    count: number;
    requested: string;
    byReason: Record<string, number>;
    byClass: Record<string, number>;
  };
  series: RefusalPoint[];
  units: Array<{ unitId: string; count: number; lastRefusedAt: string; lastReason: string }>;
  blocked: Array<{ unitId: string; reason: string; available: string }>;
  /** Classes a unit may not reserve for now (its rule sheds them at the current utilisation). */
  shed?: Array<{ unitId: string; className: string; reason: string; available: string }>;
}

export type VerifyResult =
  | { ok: true; eventsChecked: number; streamsChecked: number }
  | {
      ok: false;
      eventsChecked: number;
      streamsChecked: number;
      firstBrokenLink: {
        streamId: string;
        streamVersion: string;
        globalPosition: string;
        reason: string;
        expectedHash: string;
        actualHash: string;
      };
    };

/** A page of a unit's or a budget's event history, newest first. */
export interface History {
  unitId?: string;
  budgetId?: string | null;
  nextBefore: string | null;
  events: HistoryEvent[];
}

export interface ReboundFigures {
  requests: string;
  energyMicroWh: string;
  energyPerRequestMicroWh: string | null;
}

export interface ReboundRow {
  unitId: string;
  name: string;
  scope: 'unit' | 'subtree';
  current: ReboundFigures;
  previous: ReboundFigures;
  energyPerRequestChangePercent: string | null;
  totalEnergyChangePercent: string | null;
  rebound: boolean;
}

/** GET /v1/reports/rebound?period= (billing). */
export interface ReboundReport {
  period: string;
  previousPeriod: string;
  rows: ReboundRow[];
  flagged: string[];
}
