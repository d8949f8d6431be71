// Public surface of the conversion domain (pure: no NestJS, no I/O, no clock).
// See docs/conversion.md for the formulas, units, rounding and the default set's sources.
export {
  CONVERSION_ERROR,
  FACTORSET_ISSUE,
  type ConversionError,
  type ConversionErrorCode,
  type FactorSetIssue,
  type FactorSetIssueCode,
  type FactorSetResult,
  type Outcome,
} from './errors';
export {
  formatDecimal,
  formatRatio,
  parseDecimal,
  roundHalfUp,
  type Decimal,
  type Ratio,
} from './exact';
export type {
  AcceleratorFactor,
  FactorSet,
  FactorSetAliases,
  FactorSetDefaults,
  FactorSetJson,
  GridIntensity,
  ModelFactor,
  ModelFactorJson,
  ParameterModel,
  Pue,
} from './factor-set.types';
export { FACTOR_KEY_PATTERN, FACTOR_SET_LIMITS } from './factor-set.reader';
export { parseFactorSet } from './factor-set.parse';
export { serialiseFactorSet } from './factor-set.serialise';
export { checkPublication, isEffectiveAt, selectFactorSet } from './factor-set.select';
export { resolveName, type Resolution, type ResolutionHow } from './resolve';
export {
  convert,
  parameterModelMicroWhPerToken,
  type Conversion,
  type ConversionBasis,
  type ConversionBreakdown,
  type ConvertibleUsage,
  type GpuBreakdown,
  type TokensBreakdown,
} from './convert';
export {
  RERATE_MAX_EVENTS,
  rerate,
  type RatedUsage,
  type RerateInput,
  type RerateResult,
  type RerateSkipReason,
  type UsageAdjustment,
} from './rerate';
export {
  DEFAULT_FACTOR_SET,
  DEFAULT_FACTOR_SET_JSON,
  DEFAULT_FACTOR_SET_VERSION,
} from './default-factor-set';
