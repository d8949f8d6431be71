// Public surface of the ingestion application layer (usage pipeline, factor sets, tables).
export { IngestionApplicationModule } from './application.module';
export { CLOCK, systemClock, type Clock } from './clock';
export type { CommandContext } from './command-context';
export {
  FACTOR_SET_ERROR,
  INGEST_ERROR,
  IngestionError,
  isIngestionError,
  type FactorSetErrorCode,
  type IngestErrorCode,
} from './errors';
export {
  FACTOR_SETS_STREAM,
  INGESTION_EVENT_TYPES,
  adjustmentStreamId,
  recordedEventId,
  usageStreamId,
  type FactorSetPublishedData,
  type IngestionChannel,
  type IngestionEvent,
  type UsageAdjustedData,
  type UsageRejectedData,
} from './events';
export { FactorSetService, type FactorSetView, type PublicationResult } from './factor-set.service';
export {
  DEFAULT_INGESTION_SETTINGS,
  INGESTION_SETTINGS,
  ingestionSettings,
  type IngestionSettings,
} from './settings';
export { ingestionTableDownStatements, ingestionTableStatements } from './tables';
export {
  PostgresUnitDirectory,
  UNIT_DIRECTORY,
  type UnitDirectory,
  type UnitLookup,
} from './unit-directory';
export {
  UsagePipeline,
  type IncomingUsage,
  type IngestionCaller,
  type ItemError,
  type ItemResult,
} from './usage-pipeline';
