// Public events of the billing service, v1: what its Kafka relay publishes on
// plafond.billing.events.v1 for finance systems and other services. `data` is the ledger event's
// data as stored: money in micro-units of the currency, energy in µWh, carbon in µgCO2e,
// multipliers and rates in parts per million, all as decimal integer strings (signed where a
// note or a total may be negative). These types mirror apps/billing/src/domain/billing.events.ts,
// which contracts must not import; the billing relay checks at compile time that they agree.

/** CloudEvents `source` of everything the billing service publishes. */
export const BILLING_EVENTS_SOURCE = '/plafond/billing';

/**
 * Ledger event type → CloudEvents `type` (`org.plafond.billing.<snake_case>.v1`), for the public
 * events only. `UsageHeldUnpriced` (usage waiting for a price schedule) and `OverrunNoted` (an
 * overrun waiting for its usage, or under a schedule without tiers) stay inside the service.
 */
export const BILLING_EVENT_TYPES_V1 = {
  PriceSchedulePublished: 'org.plafond.billing.price_schedule_published.v1',
  BillingProfileSet: 'org.plafond.billing.billing_profile_set.v1',
  UsageCharged: 'org.plafond.billing.usage_charged.v1',
  UsageAdjustmentCharged: 'org.plafond.billing.usage_adjustment_charged.v1',
  OverrunSurchargeCharged: 'org.plafond.billing.overrun_surcharge_charged.v1',
  InvoiceIssued: 'org.plafond.billing.invoice_issued.v1',
  PeriodClosed: 'org.plafond.billing.period_closed.v1',
} as const;

/** Name of a public event in the billing ledger, e.g. `InvoiceIssued`. */
export type BillingEventNameV1 = keyof typeof BILLING_EVENT_TYPES_V1;
/** CloudEvents type of a public billing event, e.g. `org.plafond.billing.invoice_issued.v1`. */
export type BillingEventTypeV1 = (typeof BILLING_EVENT_TYPES_V1)[BillingEventNameV1];

export const BILLING_EVENT_NAMES_V1 = Object.keys(
  BILLING_EVENT_TYPES_V1,
) as readonly BillingEventNameV1[];

const NAME_BY_TYPE = new Map<string, BillingEventNameV1>(
  BILLING_EVENT_NAMES_V1.map((name) => [BILLING_EVENT_TYPES_V1[name], name]),
);

/** The CloudEvents type a ledger event is published under, or null if it stays internal. */
export function billingEventTypeV1(ledgerType: string): BillingEventTypeV1 | null {
  return Object.prototype.hasOwnProperty.call(BILLING_EVENT_TYPES_V1, ledgerType)
    ? BILLING_EVENT_TYPES_V1[ledgerType as BillingEventNameV1]
    : null;
}

/** The ledger event name behind a CloudEvents type, or null if it is not a public v1 type. */
export function billingEventNameV1(type: string): BillingEventNameV1 | null {
  return NAME_BY_TYPE.get(type) ?? null;
}

export function isBillingEventTypeV1(type: unknown): type is BillingEventTypeV1 {
  return typeof type === 'string' && NAME_BY_TYPE.has(type);
}

// ---- Shared shapes -------------------------------------------------------------------------

/** A billing period: a calendar month in UTC, `2026-11`. */
export type BillingPeriodKeyV1 = string;
/** A decimal integer string, `-` allowed only where documented (amounts of notes, totals). */
export type BillingDecimalV1 = string;
/** ISO-8601 UTC instant. */
export type BillingInstantV1 = string;

export interface OverrunTierV1 {
  /** Where the tier starts, as a share of the unit's allocation in ppm (first tier "0"). */
  readonly fromShareOfAllocationPpm: BillingDecimalV1;
  /** Surcharge on the overrun part of a usage's charge, in ppm (250000 = +25 %). */
  readonly surchargePpm: BillingDecimalV1;
}

export interface JournalAccountsV1 {
  /** Debited (with the unit's cost centre) for a charge, credited for a credit note. */
  readonly expense: string;
  /** The internal carbon fund: credited for a charge, debited for a credit note. */
  readonly carbonFund: string;
}

/** Where a charge line is billed and what it was priced with. */
export interface LineBillingV1 {
  /** The line's id (the ledger event id) and the journal entry id. */
  readonly lineId: string;
  readonly billingPeriod: BillingPeriodKeyV1;
  /** The closed invoice this line adjusts (usage for a closed service period), else null. */
  readonly adjustsInvoice: string | null;
  readonly currency: string;
  readonly costCentre: string;
  readonly scheduleVersion: number;
  readonly multiplierPpm: BillingDecimalV1;
  /** Signed micro-units of currency, rounded once (half away from zero). */
  readonly amountMicro: BillingDecimalV1;
  /** When the line was booked; the journal date. */
  readonly bookedAt: BillingInstantV1;
  readonly accounts: JournalAccountsV1;
}

/** A recorded usage as billing keeps it (from org.plafond.usage.recorded.v1). */
export interface UsageFactV1 {
  /** `source#id` of the usage.recorded CloudEvent (allocation's UsageDebited.usageId). */
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly occurredAt: BillingInstantV1;
  /** Month of occurredAt. */
  readonly servicePeriod: BillingPeriodKeyV1;
  readonly requests: BillingDecimalV1;
  readonly energyMicroWh: BillingDecimalV1;
  readonly carbonMicroGrams: BillingDecimalV1;
  readonly factorSetVersion: string;
}

export interface InvoiceLineGroupV1 {
  readonly kind: 'usage' | 'surcharge' | 'credit_note' | 'debit_note';
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly lines: number;
  readonly requests: BillingDecimalV1;
  /** Signed for notes. */
  readonly energyMicroWh: BillingDecimalV1;
  readonly carbonMicroGrams: BillingDecimalV1;
  readonly amountMicro: BillingDecimalV1;
}

// ---- Event data ------------------------------------------------------------------------------

export interface PriceSchedulePublishedV1Data {
  readonly currency: string;
  /** 1, 2, … per currency, in publication order. */
  readonly version: number;
  /** Usage that occurred at or after this instant (and before the next version's) is priced here. */
  readonly effectiveFrom: BillingInstantV1;
  /** Internal carbon price, micro-units of currency per tonne CO2e. */
  readonly carbonPricePerTonneMicro: BillingDecimalV1;
  /** Micro-units of currency per kWh; null = no energy component. */
  readonly energyPricePerKwhMicro: BillingDecimalV1 | null;
  /** Multiplier per usefulness class, ppm. */
  readonly classMultipliersPpm: Readonly<Record<string, BillingDecimalV1>>;
  /** Multiplier of a class not listed (and of usage whose class is unknown), ppm. */
  readonly defaultMultiplierPpm: BillingDecimalV1;
  /** Ascending by fromShareOfAllocationPpm; empty = no surcharge. */
  readonly overrunTiers: readonly OverrunTierV1[];
  readonly reason: string | null;
}

export interface BillingProfileSetV1Data {
  readonly unitId: string;
  /** ISO 4217 code the unit (and its subtree, unless overridden) is billed in. */
  readonly currency: string;
  /** Cost centre debited in the general ledger. */
  readonly costCentre: string;
}

/** A usage line: the usage's facts and its charge. */
export type UsageChargedV1Data = UsageFactV1 & LineBillingV1;

/** A credit note (amountMicro < 0) or debit note for a usage re-rated by ingestion. */
export interface UsageAdjustmentChargedV1Data extends LineBillingV1 {
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly servicePeriod: BillingPeriodKeyV1;
  /** `source#id` of the usage.adjusted CloudEvent. */
  readonly adjustmentId: string;
  readonly fromFactorSetVersion: string;
  readonly toFactorSetVersion: string;
  /** Signed. */
  readonly energyDeltaMicroWh: BillingDecimalV1;
  readonly carbonDeltaMicroGrams: BillingDecimalV1;
  /** Values after the adjustment. */
  readonly energyMicroWh: BillingDecimalV1;
  readonly carbonMicroGrams: BillingDecimalV1;
  readonly note: 'credit' | 'debit';
}

/** A surcharge line for the part of a usage beyond the unit's allocation (allocation's overrun). */
export interface OverrunSurchargeChargedV1Data extends LineBillingV1 {
  readonly usageId: string;
  readonly unitId: string;
  readonly budgetId: string;
  /** In the budget's dimension: the usage's debit, its part beyond the allocation, the account's overrun after it, its allocation. */
  readonly usageAmount: BillingDecimalV1;
  readonly overrunAmount: BillingDecimalV1;
  readonly overrunAfter: BillingDecimalV1;
  readonly allocated: BillingDecimalV1;
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly servicePeriod: BillingPeriodKeyV1;
  /** The overrun split over the schedule's tiers, each with its rate. */
  readonly tiers: readonly {
    readonly overrun: BillingDecimalV1;
    readonly surchargePpm: BillingDecimalV1;
  }[];
}

/** An immutable invoice of one unit and currency for a closed period. */
export interface InvoiceIssuedV1Data {
  /** `INV-2026-11-0001`: numbered from 1 without gaps within the period. */
  readonly invoiceNumber: string;
  readonly sequence: number;
  readonly period: BillingPeriodKeyV1;
  readonly unitId: string;
  readonly currency: string;
  readonly costCentre: string;
  readonly groups: readonly InvoiceLineGroupV1[];
  /** Closed invoices that lines of this one adjust. */
  readonly adjustsInvoices: readonly string[];
  readonly lineCount: number;
  /** Signed. */
  readonly totalMicro: BillingDecimalV1;
  readonly issuedAt: BillingInstantV1;
}

/** A period closed by finance; follows its InvoiceIssued events on the `period-<P>` stream. */
export interface BillingPeriodClosedV1Data {
  readonly period: BillingPeriodKeyV1;
  readonly invoiceCount: number;
  /** First and last invoice numbers, null when the period billed nothing. */
  readonly firstInvoice: string | null;
  readonly lastInvoice: string | null;
  /** Currency → signed total in micro-units. */
  readonly totalsMicro: Readonly<Record<string, BillingDecimalV1>>;
  readonly closedAt: BillingInstantV1;
  readonly reason: string | null;
}

/** `data` of each public event, by ledger event name. */
export interface BillingEventDataV1 {
  PriceSchedulePublished: PriceSchedulePublishedV1Data;
  BillingProfileSet: BillingProfileSetV1Data;
  UsageCharged: UsageChargedV1Data;
  UsageAdjustmentCharged: UsageAdjustmentChargedV1Data;
  OverrunSurchargeCharged: OverrunSurchargeChargedV1Data;
  InvoiceIssued: InvoiceIssuedV1Data;
  PeriodClosed: BillingPeriodClosedV1Data;
}
