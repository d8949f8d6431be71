// What the billing ledger holds. Every amount is a decimal integer string: money in micro-units
// of `currency`, energy in µWh, carbon in µgCO2e, multipliers and rates in parts per million
// (1.25 → "1250000"). Streams:
//   price-schedule-<CUR>     PriceSchedulePublished, one per version, in version order
//   billing-profile-<h>      BillingProfileSet for one unit (h = hash of the unit id)
//   usage-<h>                one per recorded usage (h = hash of usageId): UsageHeldUnpriced?,
//                            UsageCharged, then any UsageAdjustmentCharged, OverrunNoted,
//                            OverrunSurchargeCharged
//   period-<YYYY-MM>         PeriodClosed, preceded in the same append by its InvoiceIssued events
// Every event's metadata.partitionKey is the unit id (the relay's record key), except
// PriceSchedulePublished (the currency) and PeriodClosed (the period).

/** A billing period: a calendar month in UTC, `2026-11`. */
export type PeriodKey = string;
/** ISO-8601 UTC instant. */
export type Instant = string;
export type Decimal = string;

export const BILLING_EVENT_TYPES = {
  priceSchedulePublished: 'PriceSchedulePublished',
  billingProfileSet: 'BillingProfileSet',
  usageHeldUnpriced: 'UsageHeldUnpriced',
  usageCharged: 'UsageCharged',
  usageAdjustmentCharged: 'UsageAdjustmentCharged',
  overrunNoted: 'OverrunNoted',
  overrunSurchargeCharged: 'OverrunSurchargeCharged',
  invoiceIssued: 'InvoiceIssued',
  periodClosed: 'PeriodClosed',
} as const;

export interface OverrunTierData {
  /** Where the tier starts, as a share of the unit's allocation in ppm (0 = from the first unit over). */
  readonly fromShareOfAllocationPpm: Decimal;
  /** Surcharge on the overrun part of a usage's charge, in ppm (250000 = +25 %). */
  readonly surchargePpm: Decimal;
}

export interface PriceSchedulePublishedData {
  readonly currency: string;
  /** 1, 2, … per currency, in publication order. */
  readonly version: number;
  /** Usage that occurred at or after this instant (and before the next version's) is priced here. */
  readonly effectiveFrom: Instant;
  /** Internal carbon price, micro-units of currency per tonne CO2e. */
  readonly carbonPricePerTonneMicro: Decimal;
  /** Optional energy price, micro-units of currency per kWh; null = no energy component. */
  readonly energyPricePerKwhMicro: Decimal | null;
  /** Multiplier per usefulness class, ppm. */
  readonly classMultipliersPpm: Readonly<Record<string, Decimal>>;
  /** Multiplier of a class not listed (and of usage whose class is unknown), ppm. */
  readonly defaultMultiplierPpm: Decimal;
  /** Ascending by fromShareOfAllocationPpm, the first at "0"; empty = no surcharge. */
  readonly overrunTiers: readonly OverrunTierData[];
  readonly reason: string | null;
}

export interface BillingProfileSetData {
  readonly unitId: string;
  /** ISO 4217 code the unit (and its subtree, unless overridden) is billed in. */
  readonly currency: string;
  /** Cost centre code debited in the general ledger. */
  readonly costCentre: string;
}

/** What a recorded usage is, as billing keeps it (from org.plafond.usage.recorded.v1). */
export interface UsageFactData {
  /** Inbox key of the usage.recorded CloudEvent, `source#id`; allocation's UsageDebited.usageId. */
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  /** From allocation's use-case events at the time of charging; null when not known yet. */
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly occurredAt: Instant;
  /** Month of occurredAt. */
  readonly servicePeriod: PeriodKey;
  readonly requests: Decimal;
  readonly energyMicroWh: Decimal;
  readonly carbonMicroGrams: Decimal;
  readonly factorSetVersion: string;
}

/** Where a line is billed, and what it was priced with. */
export interface LineBillingData {
  /** The line's id: the event id of the event carrying it. Also the journal entry id. */
  readonly lineId: string;
  readonly billingPeriod: PeriodKey;
  /** Set when the service period was already closed: the invoice this line adjusts (null if that unit had none). */
  readonly adjustsInvoice: string | null;
  readonly currency: string;
  readonly costCentre: string;
  readonly scheduleVersion: number;
  readonly multiplierPpm: Decimal;
  /** Signed micro-units of currency, rounded once (half away from zero). */
  readonly amountMicro: Decimal;
  /** When the line was booked (the command's clock); the journal date. */
  readonly bookedAt: Instant;
  /** General-ledger accounts of the journal entry (from configuration when booked). */
  readonly accounts: JournalAccountsData;
}

export interface JournalAccountsData {
  /** Debited (with the unit's cost centre) for a charge, credited for a credit note. */
  readonly expense: string;
  /** The internal carbon fund: credited for a charge, debited for a credit note. */
  readonly carbonFund: string;
}

export interface UsageHeldUnpricedData extends UsageFactData {
  readonly currency: string;
  /** BILLING.NO_PRICE_SCHEDULE: no schedule of `currency` is effective at occurredAt. */
  readonly reasonCode: string;
}

export type UsageChargedData = UsageFactData & LineBillingData;

export interface UsageAdjustmentChargedData extends LineBillingData {
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly servicePeriod: PeriodKey;
  /** The usage.adjusted CloudEvent's inbox key (`source#id`). */
  readonly adjustmentId: string;
  readonly fromFactorSetVersion: string;
  readonly toFactorSetVersion: string;
  readonly energyDeltaMicroWh: Decimal;
  readonly carbonDeltaMicroGrams: Decimal;
  /** Values after the adjustment. */
  readonly energyMicroWh: Decimal;
  readonly carbonMicroGrams: Decimal;
  /** credit: amountMicro < 0; debit: amountMicro ≥ 0. */
  readonly note: 'credit' | 'debit';
}

/** An overrun from allocation (UsageDebited + OverrunRecorded), kept until its usage is charged. */
export interface OverrunNotedData {
  readonly usageId: string;
  readonly unitId: string;
  readonly budgetId: string;
  /** In the budget's dimension: the whole usage's debit, its part beyond the allocation, the account's overrun after it, its allocation. */
  readonly usageAmount: Decimal;
  readonly overrunAmount: Decimal;
  readonly overrunAfter: Decimal;
  readonly allocated: Decimal;
}

export interface OverrunSurchargeChargedData extends OverrunNotedData, LineBillingData {
  readonly useCase: string;
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly servicePeriod: PeriodKey;
  /** The overrun split over the schedule's tiers (same dimension), each with its rate. */
  readonly tiers: readonly { readonly overrun: Decimal; readonly surchargePpm: Decimal }[];
}

export interface InvoiceLineGroupData {
  readonly kind: 'usage' | 'surcharge' | 'credit_note' | 'debit_note';
  readonly usefulnessClass: string | null;
  readonly model: string | null;
  readonly lines: number;
  readonly requests: Decimal;
  readonly energyMicroWh: Decimal;
  readonly carbonMicroGrams: Decimal;
  readonly amountMicro: Decimal;
}

export interface InvoiceIssuedData {
  /** `INV-2026-11-0001`: numbered from 1 without gaps within the period. */
  readonly invoiceNumber: string;
  readonly sequence: number;
  readonly period: PeriodKey;
  readonly unitId: string;
  readonly currency: string;
  readonly costCentre: string;
  readonly groups: readonly InvoiceLineGroupData[];
  /** Closed invoices that lines of this one adjust. */
  readonly adjustsInvoices: readonly string[];
  readonly lineCount: number;
  readonly totalMicro: Decimal;
  readonly issuedAt: Instant;
}

export interface PeriodClosedData {
  readonly period: PeriodKey;
  readonly invoiceCount: number;
  /** First and last invoice numbers, null when the period billed nothing. */
  readonly firstInvoice: string | null;
  readonly lastInvoice: string | null;
  readonly totalsMicro: Readonly<Record<string, Decimal>>;
  readonly closedAt: Instant;
  readonly reason: string | null;
}

export type BillingEvent =
  | { type: 'PriceSchedulePublished'; data: PriceSchedulePublishedData }
  | { type: 'BillingProfileSet'; data: BillingProfileSetData }
  | { type: 'UsageHeldUnpriced'; data: UsageHeldUnpricedData }
  | { type: 'UsageCharged'; data: UsageChargedData }
  | { type: 'UsageAdjustmentCharged'; data: UsageAdjustmentChargedData }
  | { type: 'OverrunNoted'; data: OverrunNotedData }
  | { type: 'OverrunSurchargeCharged'; data: OverrunSurchargeChargedData }
  | { type: 'InvoiceIssued'; data: InvoiceIssuedData }
  | { type: 'PeriodClosed'; data: PeriodClosedData };

export type BillingEventType = BillingEvent['type'];
