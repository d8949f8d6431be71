// A light check of billing events for consumers: the type is a public v1 type and `data` has
// every documented field with the right shape (amounts as decimal integer strings, signed where
// documented). Unknown fields are allowed: v1 may gain optional fields, and consumers must
// ignore what they do not read.
import type { CloudEvent } from '../cloudevents';
import { eventFamilyV1, type PublicEventV1 } from '../validation/event-family';
import { fieldChecks, type Check } from '../validation/field-checks';
import type { ValidationResult } from '../validation/issue';
import {
  billingEventNameV1,
  type BillingEventDataV1,
  type BillingEventNameV1,
  type BillingEventTypeV1,
} from './billing-events.v1';

export const BILLING_EVENT_ISSUE = {
  unknownType: 'BILLING_EVENT.UNKNOWN_TYPE',
  notAnObject: 'BILLING_EVENT.NOT_AN_OBJECT',
  missingField: 'BILLING_EVENT.MISSING_FIELD',
  invalidField: 'BILLING_EVENT.INVALID_FIELD',
  invalidAmount: 'BILLING_EVENT.INVALID_AMOUNT',
} as const;
export type BillingEventIssueCode = (typeof BILLING_EVENT_ISSUE)[keyof typeof BILLING_EVENT_ISSUE];

/** A public billing event read from its CloudEvent, discriminated by `name`. */
export type BillingEventV1 = PublicEventV1<
  BillingEventNameV1,
  BillingEventTypeV1,
  BillingEventDataV1
>;

/** numeric(30,0) in the books: at most 30 digits. */
const UNSIGNED = /^(0|[1-9][0-9]{0,29})$/;
const SIGNED = /^(0|-?[1-9][0-9]{0,29})$/;
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const CURRENCY = /^[A-Z]{3}$/;

const { checkFields, id, text, pattern, count, instant, oneOf, nullable, object, array, record } =
  fieldChecks(BILLING_EVENT_ISSUE);

const amount = pattern(UNSIGNED, 'a decimal integer string', BILLING_EVENT_ISSUE.invalidAmount);
const signed = pattern(
  SIGNED,
  'a signed decimal integer string',
  BILLING_EVENT_ISSUE.invalidAmount,
);
const period = pattern(PERIOD, 'a period YYYY-MM');
const currency = pattern(CURRENCY, 'an ISO 4217 code (three capital letters)');

const line = {
  lineId: id,
  billingPeriod: period,
  adjustsInvoice: nullable(id),
  currency,
  costCentre: id,
  scheduleVersion: count,
  multiplierPpm: amount,
  amountMicro: signed,
  bookedAt: instant,
  accounts: object({ expense: id, carbonFund: id }),
} as const;

const usageRef = {
  usageId: id,
  unitId: id,
  useCase: id,
  usefulnessClass: nullable(id),
  model: nullable(text),
  servicePeriod: period,
} as const;

const KINDS = ['usage', 'surcharge', 'credit_note', 'debit_note'] as const;

/** The documented fields of each event's data; the `satisfies` keeps it in step with the types. */
const DATA_FIELDS = {
  PriceSchedulePublished: {
    currency,
    version: count,
    effectiveFrom: instant,
    carbonPricePerTonneMicro: amount,
    energyPricePerKwhMicro: nullable(amount),
    classMultipliersPpm: record(amount),
    defaultMultiplierPpm: amount,
    overrunTiers: array(object({ fromShareOfAllocationPpm: amount, surchargePpm: amount })),
    reason: nullable(text),
  },
  BillingProfileSet: { unitId: id, currency, costCentre: id },
  UsageCharged: {
    ...usageRef,
    occurredAt: instant,
    requests: amount,
    energyMicroWh: amount,
    carbonMicroGrams: amount,
    factorSetVersion: id,
    ...line,
  },
  UsageAdjustmentCharged: {
    ...usageRef,
    ...line,
    adjustmentId: id,
    fromFactorSetVersion: id,
    toFactorSetVersion: id,
    energyDeltaMicroWh: signed,
    carbonDeltaMicroGrams: signed,
    energyMicroWh: amount,
    carbonMicroGrams: amount,
    note: oneOf(['credit', 'debit']),
  },
  OverrunSurchargeCharged: {
    ...usageRef,
    ...line,
    budgetId: id,
    usageAmount: amount,
    overrunAmount: amount,
    overrunAfter: amount,
    allocated: amount,
    tiers: array(object({ overrun: amount, surchargePpm: amount })),
  },
  InvoiceIssued: {
    invoiceNumber: id,
    sequence: count,
    period,
    unitId: id,
    currency,
    costCentre: id,
    groups: array(
      object({
        kind: oneOf(KINDS),
        usefulnessClass: nullable(id),
        model: nullable(text),
        lines: count,
        requests: amount,
        energyMicroWh: signed,
        carbonMicroGrams: signed,
        amountMicro: signed,
      }),
    ),
    adjustsInvoices: array(id),
    lineCount: count,
    totalMicro: signed,
    issuedAt: instant,
  },
  PeriodClosed: {
    period,
    invoiceCount: count,
    firstInvoice: nullable(id),
    lastInvoice: nullable(id),
    totalsMicro: record(signed),
    closedAt: instant,
    reason: nullable(text),
  },
} as const satisfies {
  readonly [K in BillingEventNameV1]: { readonly [F in keyof BillingEventDataV1[K]]-?: Check };
};

const family = eventFamilyV1<BillingEventNameV1, BillingEventTypeV1, BillingEventDataV1>({
  nameOf: billingEventNameV1,
  fields: DATA_FIELDS,
  checks: { checkFields },
  unknownTypeCode: BILLING_EVENT_ISSUE.unknownType,
  label: 'billing',
});

/**
 * Checks `data` of a public billing event. Never throws: `{ ok: true, value }` (the same
 * object, typed) or `{ ok: false, issues }` with paths from `data`.
 */
export function validateBillingEventDataV1<K extends BillingEventNameV1>(
  name: K,
  data: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<BillingEventDataV1[K]> {
  return family.validateData(name, data, options);
}

/**
 * Reads a decoded CloudEvent (`decodeKafkaMessage`) as a public billing event v1. A type that is
 * not a public v1 type gives `BILLING_EVENT.UNKNOWN_TYPE`: consumers should skip such events
 * (new types may be added to the topic), not fail on them.
 */
export function parseBillingEventV1(event: CloudEvent): ValidationResult<BillingEventV1> {
  return family.parse(event);
}
