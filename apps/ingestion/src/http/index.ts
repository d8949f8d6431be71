// The ingestion service's HTTP edge.
export { INGESTION_ERROR_STATUS, IngestionErrorInterceptor, toHttpError } from './error-mapping';
export { IngestionHttpModule, type IngestionHttpModuleOptions } from './http.module';
export {
  INGESTION_HTTP_SETTINGS,
  ingestionHttpSettings,
  type IngestionHttpSettings,
} from './http.settings';
export {
  CLOUDEVENTS_BATCH,
  DEFAULT_MAX_BATCH_ITEMS,
  USAGE_HTTP_ERROR,
  readUsageBatch,
  usageBatchAnswer,
  type UsageBatchAnswer,
  type UsageItemAnswer,
} from './usage-batch';
