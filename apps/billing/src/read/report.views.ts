// The answers of BillingReports. JSON-ready: amounts are decimal integer strings in micro-units of
// their currency (`…Micro`) next to display decimals with 6 fraction digits (`amount`, `total`,
// `debit`, `credit`); energy in µWh, carbon in µgCO2e, requests as integer strings; instants ISO.
import type { PeriodKey } from '../domain/billing.events';
import type { CurrencyAmounts, StatementTreeNode } from './statement-tree';

export type ChargeLineKind = 'usage' | 'surcharge' | 'credit_note' | 'debit_note';
/** The order kinds are listed in (statements). */
export const LINE_KINDS: readonly ChargeLineKind[] = [
  'usage',
  'surcharge',
  'credit_note',
  'debit_note',
];

export interface StatementGroup {
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly kind: ChargeLineKind;
  readonly lines: number;
  readonly requests: string;
  readonly energyMicroWh: string;
  readonly carbonMicroGrams: string;
  readonly amountMicro: string;
  readonly amount: string;
}

export interface StatementCurrency {
  readonly currency: string;
  readonly totalMicro: string;
  readonly total: string;
  readonly lines: number;
  /** Sorted by usefulness class (null first), model (null first), kind (usage, surcharge, credit_note, debit_note). */
  readonly groups: readonly StatementGroup[];
}

/** A line of the statement booked into this period that adjusts an invoice of a closed one. */
export interface StatementAdjustment {
  readonly lineId: string;
  readonly kind: ChargeLineKind;
  readonly unitId: string;
  readonly usageId: string;
  readonly servicePeriod: PeriodKey;
  readonly adjustsInvoice: string;
  readonly currency: string;
  readonly amountMicro: string;
  readonly amount: string;
  readonly bookedAt: string;
}

export interface Statement {
  readonly unitId: string;
  readonly period: PeriodKey;
  /** closed: the period's invoices are issued and its lines can no longer change. */
  readonly status: 'open' | 'closed';
  readonly includeDescendants: boolean;
  /** Every currency billed to the unit (and its subtree, with includeDescendants), code-point order. */
  readonly currencies: readonly StatementCurrency[];
  /** The unit first, then its descendants parents first (only the unit without includeDescendants). */
  readonly tree: readonly StatementTreeNode[];
  /** Ordered by bookedAt, then lineId. */
  readonly adjustments: readonly StatementAdjustment[];
}

export interface InvoiceSummary {
  readonly invoiceNumber: string;
  readonly period: PeriodKey;
  readonly sequence: number;
  readonly unitId: string;
  readonly currency: string;
  readonly costCentre: string;
  readonly totalMicro: string;
  readonly total: string;
  readonly lineCount: number;
  readonly issuedAt: string;
  readonly adjustsInvoices: readonly string[];
}

export interface InvoiceGroupView {
  readonly kind: ChargeLineKind;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly lines: number;
  readonly requests: string;
  readonly energyMicroWh: string;
  readonly carbonMicroGrams: string;
  readonly amountMicro: string;
  readonly amount: string;
}

export interface InvoiceLineView {
  readonly lineId: string;
  readonly kind: ChargeLineKind;
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly servicePeriod: PeriodKey;
  readonly adjustsInvoice: string | null;
  readonly occurredAt: string;
  readonly bookedAt: string;
  readonly requests: string;
  readonly energyMicroWh: string;
  readonly carbonMicroGrams: string;
  readonly amountMicro: string;
  readonly amount: string;
  readonly scheduleVersion: number;
  readonly multiplierPpm: string;
  readonly budgetId: string | null;
}

export interface InvoiceDetail extends InvoiceSummary {
  /** As issued (InvoiceIssued.groups). */
  readonly groups: readonly InvoiceGroupView[];
  /** The charge lines carrying this invoice number, by bookedAt then lineId. */
  readonly lines: readonly InvoiceLineView[];
}

export interface CurrencyTotal {
  readonly lines: number;
  readonly totalMicro: string;
  readonly total: string;
}

export interface PeriodRow {
  readonly period: PeriodKey;
  readonly status: 'open' | 'closed';
  readonly closedAt: string | null;
  readonly invoiceCount: number | null;
  readonly firstInvoice: string | null;
  readonly lastInvoice: string | null;
  readonly reason: string | null;
  /** Charge lines billed in the period. */
  readonly lineCount: number;
  /** Per currency, code-point order. */
  readonly totals: Readonly<Record<string, CurrencyTotal>>;
  /** Usage that occurred in the period and is still held unpriced (no schedule effective). */
  readonly heldUnpriced: number;
}

/** One journal line as exported; the JSON twin of a CSV row (see JOURNAL_CSV_COLUMNS). */
export interface JournalExportRow {
  readonly date: string;
  readonly account: string;
  readonly costCentre: string;
  readonly debitMicro: string;
  readonly creditMicro: string;
  readonly debit: string;
  readonly credit: string;
  readonly currency: string;
  readonly reference: string;
  readonly entryId: string;
  readonly side: 'debit' | 'credit';
  readonly billingPeriod: PeriodKey;
  readonly unitId: string;
  readonly lineId: string;
  readonly invoiceNumber: string | null;
  readonly adjustsInvoice: string | null;
}

export interface JournalTotals {
  readonly debitMicro: string;
  readonly creditMicro: string;
  readonly debit: string;
  readonly credit: string;
}

export interface JournalExport {
  readonly period: PeriodKey;
  readonly currency: string | null;
  readonly columns: readonly string[];
  /** By global position, then entry id, debit before credit. */
  readonly lines: readonly JournalExportRow[];
  /** Per currency: Σ debit and Σ credit (equal for a complete entry set). */
  readonly totals: Readonly<Record<string, JournalTotals>>;
}

export interface HeldUsageView {
  readonly usageId: string;
  readonly unitId: string;
  readonly currency: string;
  readonly occurredAt: string;
  readonly energyMicroWh: string;
  readonly carbonMicroGrams: string;
}

export interface ReboundFigures {
  readonly requests: string;
  readonly energyMicroWh: string;
  /** µWh per request, 6 decimals; null without requests. */
  readonly energyPerRequestMicroWh: string | null;
}

export interface ReboundRowView {
  readonly unitId: string;
  readonly name: string | null;
  /** unit: the unit's own usage; subtree: the unit and its descendants (units with descendants only). */
  readonly scope: 'unit' | 'subtree';
  readonly current: ReboundFigures;
  readonly previous: ReboundFigures;
  /** Signed, 2 decimals ("-12.50"); null when the previous period has no basis. */
  readonly energyPerRequestChangePercent: string | null;
  readonly totalEnergyChangePercent: string | null;
  /** Energy per request fell while total energy rose. */
  readonly rebound: boolean;
}

export interface ReboundReport {
  readonly period: PeriodKey;
  readonly previousPeriod: PeriodKey;
  /** Units first (unit-id order), then subtree roll-ups (unit-id order). */
  readonly rows: readonly ReboundRowView[];
  /** Unit ids whose own usage shows the rebound effect. */
  readonly flagged: readonly string[];
}

export interface ReplayVerification {
  readonly projection: string;
  readonly eventsApplied: number;
  /** The ledger head the live digest was taken at (transaction id / global position). */
  readonly checkpoint: { readonly transactionId: string; readonly globalPosition: string };
  readonly live: { readonly digest: string; readonly rowCounts: Readonly<Record<string, number>> };
  readonly rebuilt: {
    readonly digest: string;
    readonly rowCounts: Readonly<Record<string, number>>;
  };
  readonly match: boolean;
}

export type { CurrencyAmounts, StatementTreeNode };
