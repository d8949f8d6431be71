// A light check of allocation events for consumers: the type is a public v1 type and `data` has
// every documented field with the right shape (amounts as decimal integer strings). Unknown
// fields are allowed: v1 may gain optional fields, and consumers must ignore what they do not
// read. Nested explanations of UnitsAllocated are checked to be objects, not field by field.
import type { CloudEvent } from '../cloudevents';
import { isDimension } from '../dimensions';
import { parseQuantity, QuantityError } from '../quantity';
import { timestampProblem } from '../syntax/syntax';
import {
  isPlainObject,
  joinPath,
  type ContractIssue,
  type ValidationResult,
} from '../validation/issue';
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
export type AllocationEventV1 = {
  [K in AllocationEventNameV1]: {
    readonly name: K;
    readonly type: AllocationEventTypeV1;
    readonly data: AllocationEventDataV1[K];
    /** The envelope: id, source, subject (stream), time, partitionkey (the record key), ledger* extensions. */
    readonly cloudEvent: CloudEvent;
  };
}[AllocationEventNameV1];

type Check = (value: unknown, path: string, issues: ContractIssue[]) => void;
type Fields = Readonly<Record<string, Check>>;

const ABSENT = Symbol('absent');
const MAX_ARRAY_ITEMS = 10_000;

function issue(issues: ContractIssue[], path: string, code: string, message: string): void {
  issues.push({ path, code, message });
}

const string =
  (options: { nonEmpty: boolean }): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string')
      issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a string');
    else if (options.nonEmpty && value.length === 0)
      issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must not be empty');
  };
const id = string({ nonEmpty: true });
const text = string({ nonEmpty: false });

const amount: Check = (value, path, issues) => {
  try {
    parseQuantity(value, { field: path, requireString: true });
  } catch (error) {
    const detail = error instanceof QuantityError ? error.message : 'invalid';
    issue(
      issues,
      path,
      ALLOCATION_EVENT_ISSUE.invalidAmount,
      `must be a decimal integer string: ${detail}`,
    );
  }
};

const count: Check = (value, path, issues) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a non-negative integer');
};

const boolean: Check = (value, path, issues) => {
  if (typeof value !== 'boolean')
    issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a boolean');
};

const instant: Check = (value, path, issues) => {
  if (typeof value !== 'string' || timestampProblem(value) !== undefined)
    issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be an RFC 3339 timestamp');
};

const calendarDate: Check = (value, path, issues) => {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value))
    issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a date YYYY-MM-DD');
};

const dimension: Check = (value, path, issues) => {
  if (!isDimension(value))
    issue(issues, path, ALLOCATION_EVENT_ISSUE.invalidField, 'must be a known dimension');
};

const oneOf =
  (values: readonly string[]): Check =>
  (value, path, issues) => {
    if (typeof value !== 'string' || !values.includes(value))
      issue(
        issues,
        path,
        ALLOCATION_EVENT_ISSUE.invalidField,
        `must be one of ${values.join(', ')}`,
      );
  };

const nullable =
  (check: Check): Check =>
  (value, path, issues) => {
    if (value !== null) check(value, path, issues);
  };

const optional =
  (check: Check): Check =>
  (value, path, issues) => {
    if (value !== ABSENT) check(value, path, issues);
  };

const anyObject: Check = (value, path, issues) => {
  if (!isPlainObject(value))
    issue(issues, path, ALLOCATION_EVENT_ISSUE.notAnObject, 'must be a JSON object');
};

function checkFields(value: unknown, path: string, fields: Fields, issues: ContractIssue[]): void {
  if (!isPlainObject(value)) {
    issue(issues, path, ALLOCATION_EVENT_ISSUE.notAnObject, 'must be a JSON object');
    return;
  }
  for (const [name, check] of Object.entries(fields)) {
    const fieldPath = joinPath(path, name);
    const present = Object.prototype.hasOwnProperty.call(value, name);
    const fieldValue = present ? value[name] : ABSENT;
    if (fieldValue === ABSENT || fieldValue === undefined) {
      // Optional fields accept absence; everything else is required (null only where nullable).
      const before = issues.length;
      check(ABSENT, fieldPath, issues);
      if (issues.length > before) {
        issues.splice(before);
        issue(issues, fieldPath, ALLOCATION_EVENT_ISSUE.missingField, 'is required');
      }
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
        ALLOCATION_EVENT_ISSUE.invalidField,
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
      issue(issues, path, ALLOCATION_EVENT_ISSUE.notAnObject, 'must be a JSON object');
      return;
    }
    for (const [key, element] of Object.entries(value)) item(element, joinPath(path, key), issues);
  };

const weight: Check = (value, path, issues) => {
  if (typeof value === 'string') amount(value, path, issues);
  else object({ value: amount, scale: count })(value, path, issues);
};

const basisPoints = optional(count);
const classRule: Check = (value, path, issues) => {
  if (!isPlainObject(value)) {
    issue(issues, path, ALLOCATION_EVENT_ISSUE.notAnObject, 'must be a JSON object');
    return;
  }
  if (value.kind === 'prohibited') return;
  if (value.kind !== 'allowed') {
    issue(
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

/**
 * Checks `data` of a public allocation event. Never throws: `{ ok: true, value }` (the same
 * object, typed) or `{ ok: false, issues }` with paths from `data`.
 */
export function validateAllocationEventDataV1<K extends AllocationEventNameV1>(
  name: K,
  data: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<AllocationEventDataV1[K]> {
  const issues: ContractIssue[] = [];
  checkFields(data, options.path ?? 'data', DATA_FIELDS[name], issues);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: data as AllocationEventDataV1[K] };
}

/**
 * Reads a decoded CloudEvent (`decodeKafkaMessage`) as a public allocation event v1. A type
 * that is not a public v1 type gives `ALLOCATION_EVENT.UNKNOWN_TYPE`: consumers should skip
 * such events (new types may be added to the topic), not fail on them.
 */
export function parseAllocationEventV1(event: CloudEvent): ValidationResult<AllocationEventV1> {
  const name = allocationEventNameV1(event.type);
  if (name === null) {
    return {
      ok: false,
      issues: [
        {
          path: 'type',
          code: ALLOCATION_EVENT_ISSUE.unknownType,
          message: `"${event.type}" is not a public allocation event type (v1)`,
        },
      ],
    };
  }
  const result = validateAllocationEventDataV1(name, event.data);
  if (!result.ok) return result;
  const value = {
    name,
    type: event.type as AllocationEventTypeV1,
    data: result.value,
    cloudEvent: event,
  } as AllocationEventV1;
  return { ok: true, value };
}
