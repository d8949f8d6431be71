import { DEFAULT_MAX_BATCH_ITEMS } from './usage-batch';

export interface IngestionHttpSettings {
  /** Items per POST /v1/usage; beyond: 413 INGEST.BATCH_TOO_LARGE. */
  readonly maxBatchItems: number;
}

export const INGESTION_HTTP_SETTINGS = Symbol('plafond.ingestion.HTTP_SETTINGS');

export function ingestionHttpSettings(
  partial: Partial<IngestionHttpSettings> = {},
): IngestionHttpSettings {
  const maxBatchItems = partial.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS;
  if (!Number.isSafeInteger(maxBatchItems) || maxBatchItems < 1 || maxBatchItems > 100_000)
    throw new Error(`maxBatchItems must be an integer from 1 to 100000, got ${maxBatchItems}`);
  return { maxBatchItems };
}
