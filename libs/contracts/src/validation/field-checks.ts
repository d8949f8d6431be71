// The field-check vocabulary of the public event validators (allocation, billing): small checks
// composed into a description of each event's `data`, bound to one family's issue codes. Unknown
// fields are allowed; a documented field that is absent (or undefined) is `missingField`, unless
// its check is `optional`.
import { timestampProblem } from '../syntax/syntax';
import { isPlainObject, joinPath, type ContractIssue } from './issue';

/** Checks one value at `path`, pushing what is wrong onto `issues`; never throws. */
export type Check = (value: unknown, path: string, issues: ContractIssue[]) => void;
/** The documented fields of an object, each with its check. */
export type Fields = Readonly<Record<string, Check>>;

/** The codes a family's checks report (e.g. `ALLOCATION_EVENT.*`, `BILLING_EVENT.*`). */
export interface FieldIssueCodes {
  readonly notAnObject: string;
  readonly missingField: string;
  readonly invalidField: string;
}

/** Stands for an absent field while its check runs, so that `optional` can accept it. */
const ABSENT = Symbol('absent');
const MAX_ARRAY_ITEMS = 10_000;

export function pushIssue(
  issues: ContractIssue[],
  path: string,
  code: string,
  message: string,
): void {
  issues.push({ path, code, message });
}

/** The checks, reporting with `codes`. */
export function fieldChecks(codes: FieldIssueCodes) {
  const string =
    (nonEmpty: boolean): Check =>
    (value, path, issues) => {
      if (typeof value !== 'string')
        pushIssue(issues, path, codes.invalidField, 'must be a string');
      else if (nonEmpty && value.length === 0)
        pushIssue(issues, path, codes.invalidField, 'must not be empty');
    };

  /** A string matching `regex`; the message reads `must be ${what}`. */
  const pattern =
    (regex: RegExp, what: string, code: string = codes.invalidField): Check =>
    (value, path, issues) => {
      if (typeof value !== 'string' || !regex.test(value))
        pushIssue(issues, path, code, `must be ${what}`);
    };

  const count: Check = (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      pushIssue(issues, path, codes.invalidField, 'must be a non-negative integer');
  };

  const boolean: Check = (value, path, issues) => {
    if (typeof value !== 'boolean')
      pushIssue(issues, path, codes.invalidField, 'must be a boolean');
  };

  const instant: Check = (value, path, issues) => {
    if (typeof value !== 'string' || timestampProblem(value) !== undefined)
      pushIssue(issues, path, codes.invalidField, 'must be an RFC 3339 timestamp');
  };

  const oneOf =
    (values: readonly string[]): Check =>
    (value, path, issues) => {
      if (typeof value !== 'string' || !values.includes(value))
        pushIssue(issues, path, codes.invalidField, `must be one of ${values.join(', ')}`);
    };

  /** null accepted; absence is still a missing field. */
  const nullable =
    (check: Check): Check =>
    (value, path, issues) => {
      if (value !== null) check(value, path, issues);
    };

  /** Absence accepted. */
  const optional =
    (check: Check): Check =>
    (value, path, issues) => {
      if (value !== ABSENT) check(value, path, issues);
    };

  const anyObject: Check = (value, path, issues) => {
    if (!isPlainObject(value)) pushIssue(issues, path, codes.notAnObject, 'must be a JSON object');
  };

  /** `value` is a JSON object whose documented `fields` pass their checks. */
  function checkFields(
    value: unknown,
    path: string,
    fields: Fields,
    issues: ContractIssue[],
  ): void {
    if (!isPlainObject(value)) {
      pushIssue(issues, path, codes.notAnObject, 'must be a JSON object');
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
          pushIssue(issues, fieldPath, codes.missingField, 'is required');
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
        pushIssue(
          issues,
          path,
          codes.invalidField,
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
        pushIssue(issues, path, codes.notAnObject, 'must be a JSON object');
        return;
      }
      for (const [key, element] of Object.entries(value))
        item(element, joinPath(path, key), issues);
    };

  return {
    checkFields,
    /** A non-empty string. */
    id: string(true),
    /** Any string, empty included. */
    text: string(false),
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
  } as const;
}

export type FieldChecks = ReturnType<typeof fieldChecks>;
