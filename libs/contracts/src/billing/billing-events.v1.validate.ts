// A light check of billing events for consumers: the type is a public v1 type and `data` has
// every documented field with the right shape (amounts as decimal integer strings, signed where
// documented). Unknown fields are allowed: v1 may gain optional fields, and consumers must
// ignore what they do not read.
import type { CloudEvent } from '../cloudevents';
import { timestampProblem } from '../syntax/syntax';
import {
  isPlainObject,
  joinPath,
  type ContractIssue,
  type ValidationResult,
} from '../validation/issue';
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
export type BillingEventV1 = {
  [K in BillingEventNameV1]: {
    readonly name: K;
    readonly type: BillingEventTypeV1;
    readonly data: BillingEventDataV1[K];
    /** The envelope: id, source, subject (stream), time, partitionkey (the record key), ledger* extensions. */
    readonly cloudEvent: CloudEvent;
  };
}[BillingEventNameV1];

type Check = (value: unknown, path: string, issues: ContractIssue[]) => void;
type Fields = Readonly<Record<string, Check>>;

const ABSENT = Symbol('absent');
const MAX_ARRAY_ITEMS = 10_000;
/** numeric(30,0) in the books: at most 30 digits. */
const UNSIGNED = /^(0|[1-9][0-9]{0,29})$/;
const SIGNED = /^(0|-?[1-9][0-9]{0,29})$/;
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const CURRENCY = /^[A-Z]{3}$/;

function issue(issues: ContractIssue[], path: string, code: string, message: string): void {
  issues.push({ path, code, message });
}

const string =
  (nonEmpty: boolean): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string')
      issue(issues, path, BILLING_EVENT_ISSUE.invalidField, 'must be a string');
    else if (nonEmpty && value.length === 0)
      issue(issues, path, BILLING_EVENT_ISSUE.invalidField, 'must not be empty');
  };
const id = string(true);
const text = string(false);

const pattern =
  (regex: RegExp, what: string, code: string = BILLING_EVENT_ISSUE.invalidField): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string' || !regex.test(value))
      issue(issues, path, code, `must be ${what}`);
  };
const amount = pattern(UNSIGNED, 'a decimal integer string', BILLING_EVENT_ISSUE.invalidAmount);
const signed = pattern(
  SIGNED,
  'a signed decimal integer string',
  BILLING_EVENT_ISSUE.invalidAmount,
);
const period = pattern(PERIOD, 'a period YYYY-MM');
const currency = pattern(CURRENCY, 'an ISO 4217 code (three capital letters)');

const count: Check = (value, path, issues) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    issue(issues, path, BILLING_EVENT_ISSUE.invalidField, 'must be a non-negative integer');
};

const instant: Check = (value, path, issues) => {
  if (typeof value !== 'string' || timestampProblem(value) !== undefined)
    issue(issues, path, BILLING_EVENT_ISSUE.invalidField, 'must be an RFC 3339 timestamp');
};

const oneOf =
  (values: readonly string[]): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string' || !values.includes(value))
      issue(issues, path, BILLING_EVENT_ISSUE.invalidField, `must be one of ${values.join(', ')}`);
  };

/** null accepted; absence is still a missing field. */
const nullable =
  (check: Check): Check =>
  (value, path, issues) => {
    if (value === null) return;
    if (value === ABSENT) {
      issue(issues, path, BILLING_EVENT_ISSUE.missingField, 'is required');
      return;
    }
    check(value, path, issues);
  };

function checkFields(value: unknown, path: string, fields: Fields, issues: ContractIssue[]): void {
  if (!isPlainObject(value)) {
    issue(issues, path, BILLING_EVENT_ISSUE.notAnObject, 'must be a JSON object');
    return;
  }
  for (const [name, check] of Object.entries(fields)) {
    const fieldPath = joinPath(path, name);
    const present = Object.prototype.hasOwnProperty.call(value, name);
    const fieldValue = present ? value[name] : undefined;
    if (fieldValue === undefined) {
      issue(issues, fieldPath, BILLING_EVENT_ISSUE.missingField, 'is required');
      continue;
    }
    check(fieldValue, fieldPath, issues);
  }
}

const object =
  (fields: Fields): Check =>
  (value, path, issues) =>
    checkFields(value, path, fields, issues);

const array =
  (item: Check): Check =>
  (value, path, issues) => {
    if (!Array.isArray(value) || value.length > MAX_ARRAY_ITEMS) {
      issue(
        issues,
        path,
        BILLING_EVENT_ISSUE.invalidField,
        `must be an array of at most ${MAX_ARRAY_ITEMS} items`,
      );
      return;
    }
    value.forEach((element: unknown, index) => item(element, joinPath(path, index), issues));
  };

const record =
  (item: Check): Check =>
  (value, path, issues) => {
    if (!isPlainObject(value)) {
      issue(issues, path, BILLING_EVENT_ISSUE.notAnObject, 'must be a JSON object');
      return;
    }
    for (const [key, element] of Object.entries(value)) item(element, joinPath(path, key), issues);
  };

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

/**
 * Checks `data` of a public billing event. Never throws: `{ ok: true, value }` (the same
 * object, typed) or `{ ok: false, issues }` with paths from `data`.
 */
export function validateBillingEventDataV1<K extends BillingEventNameV1>(
  name: K,
  data: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<BillingEventDataV1[K]> {
  const issues: ContractIssue[] = [];
  checkFields(data, options.path ?? 'data', DATA_FIELDS[name], issues);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: data as BillingEventDataV1[K] };
}

/**
 * Reads a decoded CloudEvent (`decodeKafkaMessage`) as a public billing event v1. A type that is
 * not a public v1 type gives `BILLING_EVENT.UNKNOWN_TYPE`: consumers should skip such events
 * (new types may be added to the topic), not fail on them.
 */
export function parseBillingEventV1(event: CloudEvent): ValidationResult<BillingEventV1> {
  const name = billingEventNameV1(event.type);
  if (name === null) {
    return {
      ok: false,
      issues: [
        {
          path: 'type',
          code: BILLING_EVENT_ISSUE.unknownType,
          message: `"${event.type}" is not a public billing event type (v1)`,
        },
      ],
    };
  }
  const result = validateBillingEventDataV1(name, event.data);
  if (!result.ok) return result;
  const value = {
    name,
    type: event.type as BillingEventTypeV1,
    data: result.value,
    cloudEvent: event,
  } as BillingEventV1;
  return { ok: true, value };
}
