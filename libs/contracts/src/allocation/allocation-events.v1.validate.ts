// A light check of allocation events for consumers: the type is a public v1 type and `data` has
// every documented field with the right shape (amounts as decimal integer strings). Unknown
// fields are allowed: v1 may gain optional fields, and consumers must ignore what they do not
// read. Nested explanations of UnitsAllocated are checked to be objects, not field by field.
import type { CloudEvent } from '../cloudevents';
import { isDimension } from '../dimensions';
import { parseQuantity, QuantityError } from '../quantity';
import { eventFamilyV1, type PublicEventV1 } from '../validation/event-family';
import { fieldChecks, pushIssue, type Check, type Fields } from '../validation/field-checks';
import { isPlainObject, joinPath, type ValidationResult } from '../validation/issue';
import {
  allocationEventNameV1,
  type AllocationEventDataV1,
  type AllocationEventNameV1,
  type AllocationEventTypeV1,
} from './allocation-events.v1';

export const ALLOCATION_EVENT_ISSUE = {
  unknownType: 'ALLOCATION_EVENT.UNKNOWN_TYPE',
  notAnObject: 'ALLOCATION_EVENT.NOT_AN_OBJECT',
  missingField: 'ALLOCATION_EVENT.MISSING_FIELD',
  invalidField: 'ALLOCATION_EVENT.INVALID_FIELD',
  invalidAmount: 'ALLOCATION_EVENT.INVALID_AMOUNT',
} as const;
export type AllocationEventIssueCode =
  (typeof ALLOCATION_EVENT_ISSUE)[keyof typeof ALLOCATION_EVENT_ISSUE];

/** A public allocation event read from its CloudEvent, discriminated by `name`. */
export type AllocationEventV1 = PublicEventV1<
  AllocationEventNameV1,
  AllocationEventTypeV1,
  AllocationEventDataV1
>;

const {
  checkFields,
  id,
  text,
  pattern,
  count,
  boolean,
  instant,
  oneOf,
  nullable,
  optional,
  anyObject,
  object,
  array,
  record,
} = fieldChecks(ALLOCATION_EVENT_ISSUE);

const amount: Check = (value, path, issues) => {
  try {
    parseQuantity(value, { field: path, requireString: true });
  } catch (error) {
    const detail = error instanceof QuantityError ? error.message : 'invalid';
    pushIssue(
      issues,
      path,
      ALLOCATION_EVENT_ISSUE.invalidAmount,
      `must be a decimal integer string: ${detail}`,
    );
  }
};

const calendarDate = pattern(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date YYYY-MM-DD');

const dimension: Check = (value, path, issues) => {
  if (!isDimension(value))
    pushIssue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a known dimension');
};

const weight: Check = (value, path, issues) => {
  if (typeof value === 'string') amount(value, path, issues);
  else object({ value: amount, scale: count })(value, path, issues);
};

const basisPoints = optional(count);
const classRule: Check = (value, path, issues) => {
  if (!isPlainObject(value)) {
    pushIssue(issues, path, ALLOCATION_EVENT_ISSUE.notAnObject, 'must be a JSON object');
    return;
  }
  if (value.kind === 'prohibited') return;
  if (value.kind !== 'allowed') {
    pushIssue(
      issues,
      joinPath(path, 'kind'),
      ALLOCATION_EVENT_ISSUE.invalidField,
      'must be allowed or prohibited',
    );
    return;
  }
  checkFields(
    value,
    path,
    { capShareBasisPoints: basisPoints, shedAboveUtilisationBasisPoints: basisPoints },
    issues,
  );
};

const account = { budgetId: id, unitId: id } as const;

/** The documented fields of each event's data; the `satisfies` keeps it in step with the types. */
const DATA_FIELDS = {
  UnitCreated: { unitId: id, parentId: nullable(id), name: id },
  UnitRenamed: { unitId: id, name: id, previousName: id },
  UnitMoved: { unitId: id, fromParentId: nullable(id), toParentId: nullable(id) },
  UnitArchived: { unitId: id },
  UnitAttributesSet: {
    unitId: id,
    effectiveFrom: calendarDate,
    attributes: record(nullable(weight)),
  },
  UsefulnessClassDefined: { className: id, description: text, rule: classRule },
  UsefulnessClassRuleChanged: { className: id, rule: classRule },
  UseCaseRegistered: { useCase: id, className: id, description: text },
  UseCaseReclassified: { useCase: id, fromClassName: id, toClassName: id },
  UseCaseRetired: { useCase: id },
  BudgetOpened: {
    budgetId: id,
    perimeterUnitId: id,
    dimension,
    period: object({
      kind: oneOf(['month', 'range']),
      key: id,
      timeZone: id,
      startsAt: instant,
      endsAt: instant,
    }),
    ceiling: amount,
    mode: oneOf(['hard', 'soft']),
    thresholdsBasisPoints: array(count),
  },
  CeilingLowered: {
    budgetId: id,
    previousCeiling: amount,
    ceiling: amount,
    allocated: amount,
    reason: nullable(text),
  },
  UnusedQuotaReclaimed: {
    budgetId: id,
    reclaimId: id,
    total: amount,
    reclaims: array(object({ unitId: id, amount, unused: amount })),
  },
  UnitsAllocated: {
    budgetId: id,
    allocationId: id,
    part: count,
    units: array(
      object({
        unitId: id,
        parentId: nullable(id),
        depth: count,
        amount,
        explanation: nullable(anyObject),
        split: nullable(anyObject),
        spendable: amount,
      }),
    ),
  },
  QuotaAllocated: { ...account, allocationId: id, amount, allocated: amount },
  QuotaTransferred: {
    budgetId: id,
    transferId: id,
    fromUnitId: id,
    toUnitId: id,
    amount,
    reason: text,
    actor: text,
  },
  PeriodClosed: {
    budgetId: id,
    ceiling: amount,
    allocated: amount,
    closedEarly: boolean,
    reason: nullable(text),
  },
  UsageDebited: {
    ...account,
    usageId: id,
    amount,
    overrunAmount: amount,
    useCase: id,
    usefulnessClass: nullable(id),
    reservationId: nullable(id),
    flag: nullable(
      oneOf([
        'reservation_expired',
        'reservation_released',
        'reservation_committed',
        'reservation_unknown',
        'exceeded_reservation',
      ]),
    ),
    occurredAt: nullable(instant),
  },
  OverrunRecorded: {
    ...account,
    usageId: id,
    amount,
    overrun: amount,
    allocated: amount,
    committed: amount,
  },
  UnitBlocked: { ...account, reason: oneOf(['overrun']) },
  UnitUnblocked: { ...account, reason: oneOf(['quota_transferred_in', 'quota_allocated']) },
  ThresholdCrossed: {
    ...account,
    thresholdBasisPoints: count,
    committed: amount,
    allocated: amount,
  },
  AccountClosed: { ...account, allocated: amount, committed: amount, overrun: amount },
} as const satisfies { readonly [K in AllocationEventNameV1]: Fields };

const family = eventFamilyV1<AllocationEventNameV1, AllocationEventTypeV1, AllocationEventDataV1>({
  nameOf: allocationEventNameV1,
  fields: DATA_FIELDS,
  checks: { checkFields },
  unknownTypeCode: ALLOCATION_EVENT_ISSUE.unknownType,
  label: 'allocation',
});

/**
 * Checks `data` of a public allocation event. Never throws: `{ ok: true, value }` (the same
 * object, typed) or `{ ok: false, issues }` with paths from `data`.
 */
export function validateAllocationEventDataV1<K extends AllocationEventNameV1>(
  name: K,
  data: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<AllocationEventDataV1[K]> {
  return family.validateData(name, data, options);
}

/**
 * Reads a decoded CloudEvent (`decodeKafkaMessage`) as a public allocation event v1. A type
 * that is not a public v1 type gives `ALLOCATION_EVENT.UNKNOWN_TYPE`: consumers should skip
 * such events (new types may be added to the topic), not fail on them.
 */
export function parseAllocationEventV1(event: CloudEvent): ValidationResult<AllocationEventV1> {
  return family.parse(event);
}
