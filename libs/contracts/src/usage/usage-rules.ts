import {
  parseDecimalToMicro,
  parseQuantity,
  QuantityError,
  type QuantityOptions,
} from '../quantity';
import { timestampProblem, unicodeProblem, uriReferenceProblem } from '../syntax/syntax';
import type { Rule, RuleFailure } from '../validation/rule';

export const USAGE_ISSUE = {
  notAnObject: 'USAGE.NOT_AN_OBJECT',
  unknownField: 'USAGE.UNKNOWN_FIELD',
  tooManyFields: 'USAGE.TOO_MANY_FIELDS',
  missingField: 'USAGE.MISSING_FIELD',
  conflictingFields: 'USAGE.CONFLICTING_FIELDS',
  notAString: 'USAGE.NOT_A_STRING',
  invalidIdentifier: 'USAGE.INVALID_IDENTIFIER',
  invalidText: 'USAGE.INVALID_TEXT',
  invalidTimestamp: 'USAGE.INVALID_TIMESTAMP',
  invalidUriReference: 'USAGE.INVALID_URI_REFERENCE',
  invalidMethod: 'USAGE.INVALID_METHOD',
  noMeasurableQuantity: 'USAGE.NO_MEASURABLE_QUANTITY',
} as const;
export type UsageIssueCode = (typeof USAGE_ISSUE)[keyof typeof USAGE_ISSUE];

/** Unit ids, use cases, reservation ids: what keys, URLs and log lines carry without escaping. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/;
const TEXT_MAX_CHARS = 256;

const fail = (code: string, message: string): RuleFailure => ({ code, message });

function presence(value: unknown, required: boolean): RuleFailure | 'absent' | undefined {
  if (value !== undefined && value !== null) return undefined;
  return required ? fail(USAGE_ISSUE.missingField, 'is required') : 'absent';
}

function stringRule(required: boolean, check: (text: string) => RuleFailure | undefined): Rule {
  return (value) => {
    const missing = presence(value, required);
    if (missing === 'absent') return undefined;
    if (missing !== undefined) return missing;
    if (typeof value !== 'string') return fail(USAGE_ISSUE.notAString, 'must be a string');
    return check(value);
  };
}

export const identifierRule = (required: boolean): Rule =>
  stringRule(required, (text) =>
    IDENTIFIER.test(text)
      ? undefined
      : fail(
          USAGE_ISSUE.invalidIdentifier,
          'must be 1-128 characters: letters, digits and . _ : ~ -, starting with a letter or digit',
        ),
  );

/** Free text such as a model or region name: non-empty, trimmed, printable, bounded. */
export const textRule = (required: boolean): Rule =>
  stringRule(required, (text) => {
    if (text.length === 0 || text.length > TEXT_MAX_CHARS) {
      return fail(USAGE_ISSUE.invalidText, `must be 1-${TEXT_MAX_CHARS} characters`);
    }
    if (text.trim() !== text) {
      return fail(USAGE_ISSUE.invalidText, 'must not start or end with whitespace');
    }
    const problem = unicodeProblem(text);
    return problem === undefined ? undefined : fail(USAGE_ISSUE.invalidText, problem);
  });

export const timestampRule = (required: boolean): Rule =>
  stringRule(required, (text) => {
    const problem = timestampProblem(text);
    return problem === undefined ? undefined : fail(USAGE_ISSUE.invalidTimestamp, problem);
  });

export const uriReferenceRule = (required: boolean): Rule =>
  stringRule(required, (text) => {
    const problem = uriReferenceProblem(text) ?? unicodeProblem(text);
    return problem === undefined ? undefined : fail(USAGE_ISSUE.invalidUriReference, problem);
  });

export const oneOfRule = (required: boolean, allowed: readonly string[]): Rule =>
  stringRule(required, (text) =>
    allowed.includes(text)
      ? undefined
      : fail(USAGE_ISSUE.invalidMethod, `must be one of ${allowed.join(', ')}`),
  );

type QuantityRuleOptions = Omit<QuantityOptions, 'field'> & { readonly required: boolean };

/** parseQuantity (or parseDecimalToMicro) as a Rule; its QUANTITY.* codes pass through. */
export function quantityRule(options: QuantityRuleOptions, decimal = false): Rule {
  return (value) => {
    const missing = presence(value, options.required);
    if (missing === 'absent') return undefined;
    if (missing !== undefined) return missing;
    try {
      const parse = decimal ? parseDecimalToMicro : parseQuantity;
      parse(value, { ...options, field: 'value' });
      return undefined;
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      return fail(error.code, error.detail);
    }
  };
}
