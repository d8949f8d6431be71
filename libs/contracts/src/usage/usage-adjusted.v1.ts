// org.plafond.usage.adjusted.v1: a correction to a recorded usage after a factor set was
// republished for its window, on plafond.usage.recorded.v1 (keyed by unit, like the usage).
// Recorded usage is never rewritten: recorded + the sum of its adjustments = the current value.
import { QUANTITY_ERROR } from '../quantity';
import { isPlainObject, type ContractIssue, type ValidationResult } from '../validation/issue';
import type { Rule } from '../validation/rule';
import { FieldReader, locateFields } from './field-reader';
import { USAGE_METHODS } from './usage-recorded.v1';
import {
  USAGE_ISSUE,
  identifierRule,
  oneOfRule,
  quantityRule,
  textRule,
  timestampRule,
  uriReferenceRule,
} from './usage-rules';

export const USAGE_ADJUSTED_V1_TYPE = 'org.plafond.usage.adjusted.v1';

/** data of a usage.adjusted v1 CloudEvent. Amounts are decimal integer strings (micro-units). */
export interface UsageAdjustedV1Json {
  /** The reported usage's CloudEvent `source` and `id`. */
  reportedSource: string;
  reportedId: string;
  /** The CloudEvent id of the usage.recorded event this adjusts. */
  recordedEventId: string;
  unitId: string;
  useCase: string;
  occurredAt: string;
  method: string;
  fromFactorSetVersion: string;
  toFactorSetVersion: string;
  /** Signed deltas to add to the recorded values. */
  energyDeltaMicroWh: string;
  carbonDeltaMicroGrams: string;
  /** The values after this adjustment. */
  energyMicroWh: string;
  carbonMicroGrams: string;
}

const SIGNED_INTEGER = /^(0|-?[1-9][0-9]{0,18})$/;
const SIGNED_MAX = 9_223_372_036_854_775_807n;

/** A signed decimal integer string in (-2^63, 2^63): the deltas of an adjustment. */
const signedRule =
  (required: boolean): Rule =>
  (value) => {
    if (value === undefined || value === null)
      return required ? { code: USAGE_ISSUE.missingField, message: 'is required' } : undefined;
    if (typeof value !== 'string')
      return { code: QUANTITY_ERROR.notAString, message: 'must be a decimal integer string' };
    if (!SIGNED_INTEGER.test(value))
      return {
        code: QUANTITY_ERROR.invalidFormat,
        message: 'must be a signed decimal integer string ("-1500", "0", "42")',
      };
    const magnitude = BigInt(value.startsWith('-') ? value.slice(1) : value);
    return magnitude > SIGNED_MAX
      ? { code: QUANTITY_ERROR.outOfRange, message: `magnitude exceeds ${SIGNED_MAX}` }
      : undefined;
  };

const count = quantityRule({ required: true, requireString: true });

export const USAGE_ADJUSTED_V1_RULES = {
  reportedSource: uriReferenceRule(true),
  reportedId: textRule(true),
  recordedEventId: textRule(true),
  unitId: identifierRule(true),
  useCase: identifierRule(true),
  occurredAt: timestampRule(true),
  method: oneOfRule(true, USAGE_METHODS),
  fromFactorSetVersion: textRule(true),
  toFactorSetVersion: textRule(true),
  energyDeltaMicroWh: signedRule(true),
  carbonDeltaMicroGrams: signedRule(true),
  energyMicroWh: count,
  carbonMicroGrams: count,
} as const satisfies { readonly [K in keyof UsageAdjustedV1Json]: Rule };
const FIELDS = Object.keys(USAGE_ADJUSTED_V1_RULES);

/**
 * Validates the `data` of an org.plafond.usage.adjusted.v1 event as consumers read it. Strict,
 * like `validateUsageRecordedV1`: no unknown fields, every field present, amounts only as
 * decimal integer strings (the deltas signed). Returns the same strings, typed; never throws.
 */
export function validateUsageAdjustedV1(
  input: unknown,
  options: { readonly path?: string } = {},
): ValidationResult<UsageAdjustedV1Json> {
  const base = options.path ?? 'data';
  if (!isPlainObject(input)) {
    const issue = { path: base, code: USAGE_ISSUE.notAnObject, message: 'must be a JSON object' };
    return { ok: false, issues: [issue] };
  }
  const issues: ContractIssue[] = [];
  const read = new FieldReader(locateFields(input, base, { fields: FIELDS }, issues), base, issues);
  const value: Record<string, string | undefined> = {};
  for (const [name, rule] of Object.entries(USAGE_ADJUSTED_V1_RULES))
    value[name] = read.text(name, rule);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: value as unknown as UsageAdjustedV1Json };
}
