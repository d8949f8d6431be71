// Public surface of @plafond/contracts: what travels between Plafond's services and its
// integrators (topic names, the CloudEvents envelope, event schemas, exact quantities).
export {
  DEFAULT_PARTITIONS,
  RETAIN_FOREVER,
  TOPICS,
  TOPIC_CATALOG,
  TopicNameError,
  topicName,
  type TopicKey,
  type TopicSpec,
} from './topics';
export {
  MICRO_FRACTION_DIGITS,
  MICRO_PER_UNIT,
  QUANTITY_ERROR,
  QUANTITY_MAX,
  QuantityError,
  formatMicro,
  formatQuantity,
  parseDecimalToMicro,
  parseQuantity,
  type QuantityErrorCode,
  type QuantityOptions,
} from './quantity';
export { DIMENSIONS, DIMENSION_NAMES, MONEY, isDimension, type Dimension } from './dimensions';
export { collectIssues, SatisfiesRule, type Rule, type RuleFailure } from './validation/rule';
export type { ContractIssue, ValidationResult } from './validation/issue';
export * from './cloudevents';
export * from './usage';
export * from './allocation';
export * from './billing';
