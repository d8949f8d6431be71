// Stable codes of the conversion domain. Validation returns every issue at once, as
// `{ path, code, message }` (the shape of @plafond/contracts' ContractIssue); selection and
// conversion return one `{ code, message, details }` error. Nothing here throws for flow control.

export const FACTORSET_ISSUE = {
  notJson: 'FACTORSET.NOT_JSON',
  notAnObject: 'FACTORSET.NOT_AN_OBJECT',
  unknownField: 'FACTORSET.UNKNOWN_FIELD',
  missingField: 'FACTORSET.MISSING_FIELD',
  notAString: 'FACTORSET.NOT_A_STRING',
  versionInvalid: 'FACTORSET.VERSION_INVALID',
  timestampInvalid: 'FACTORSET.TIMESTAMP_INVALID',
  windowEmpty: 'FACTORSET.WINDOW_EMPTY',
  textInvalid: 'FACTORSET.TEXT_INVALID',
  decimalInvalid: 'FACTORSET.DECIMAL_INVALID',
  integerInvalid: 'FACTORSET.INTEGER_INVALID',
  outOfRange: 'FACTORSET.OUT_OF_RANGE',
  pueBelowOne: 'FACTORSET.PUE_BELOW_ONE',
  keyInvalid: 'FACTORSET.KEY_INVALID',
  tooManyEntries: 'FACTORSET.TOO_MANY_ENTRIES',
  modelKindInvalid: 'FACTORSET.MODEL_KIND_INVALID',
  parameterModelMissing: 'FACTORSET.PARAMETER_MODEL_MISSING',
  aliasTargetUnknown: 'FACTORSET.ALIAS_TARGET_UNKNOWN',
  aliasShadowsKey: 'FACTORSET.ALIAS_SHADOWS_KEY',
  defaultUnknown: 'FACTORSET.DEFAULT_UNKNOWN',
  /** Publication: a set with this version was already published (versions are immutable). */
  versionExists: 'FACTORSET.VERSION_EXISTS',
  /** Selection: no published set is effective at the usage's instant. */
  noneEffective: 'FACTORSET.NONE_EFFECTIVE',
} as const;
export type FactorSetIssueCode = (typeof FACTORSET_ISSUE)[keyof typeof FACTORSET_ISSUE];

export const CONVERSION_ERROR = {
  occurredAtInvalid: 'CONVERSION.OCCURRED_AT_INVALID',
  nothingToConvert: 'CONVERSION.NOTHING_TO_CONVERT',
  modelUnknown: 'CONVERSION.MODEL_UNKNOWN',
  acceleratorUnknown: 'CONVERSION.ACCELERATOR_UNKNOWN',
  outOfRange: 'CONVERSION.OUT_OF_RANGE',
} as const;
export type ConversionErrorCode = (typeof CONVERSION_ERROR)[keyof typeof CONVERSION_ERROR];

export interface FactorSetIssue {
  readonly path: string;
  readonly code: FactorSetIssueCode;
  readonly message: string;
}

/** JSON as is: the service answers `{ code, message, details }` without another mapping. */
export interface ConversionError {
  readonly code: ConversionErrorCode | typeof FACTORSET_ISSUE.noneEffective;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
}

export type Outcome<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export type FactorSetResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FactorSetIssue[] };

export function conversionError(
  code: ConversionError['code'],
  message: string,
  details: Record<string, string | undefined> = {},
): { ok: false; error: ConversionError } {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(details)) if (value !== undefined) defined[key] = value;
  return { ok: false, error: { code, message, details: defined } };
}
