export {
  OTEL_GENAI_ALIASES,
  OTEL_GENAI_PREFIX,
  otelGenAiField,
  type OtelGenAiAttribute,
} from './otel-genai';
export {
  USAGE_MEASURABLE_FIELDS,
  USAGE_REPORTED_V1_FIELDS,
  USAGE_REPORTED_V1_SCHEMA,
  USAGE_REPORTED_V1_TYPE,
  UsageReportedV1Dto,
  type UsageReportedV1,
  type UsageReportedV1Json,
} from './usage-event.v1';
export {
  createUsageReportedV1Event,
  serializeUsageReportedV1,
  validateUsageReportedV1,
} from './usage-reported.v1.validate';
export {
  USAGE_METHODS,
  USAGE_RECORDED_V1_SCHEMA,
  USAGE_RECORDED_V1_TYPE,
  UsageRecordedV1Dto,
  createUsageRecordedV1Event,
  serializeUsageRecordedV1,
  validateUsageRecordedV1,
  type UsageMethod,
  type UsageRecordedV1,
  type UsageRecordedV1Json,
} from './usage-recorded.v1';
export { USAGE_ISSUE, type UsageIssueCode } from './usage-rules';
export { USAGE_REJECTED_V1_TYPE, type UsageRejectedV1Json } from './usage-rejected.v1';
export {
  USAGE_ADJUSTED_V1_RULES,
  USAGE_ADJUSTED_V1_TYPE,
  validateUsageAdjustedV1,
  type UsageAdjustedV1Json,
} from './usage-adjusted.v1';
export { INGESTION_EVENTS_SOURCE } from './ingestion-source';
