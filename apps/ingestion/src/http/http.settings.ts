import { DEFAULT_MAX_BATCH_ITEMS } from './usage-batch';

export interface IngestionHttpSettings {
  /** Items per POST /v1/usage; beyond: 413 INGEST.BATCH_TOO_LARGE. */
  readonly maxBatchItems: number;
  /** Items of usage batches in progress at once; a batch beyond is refused 503 INGEST.BUSY. */
  readonly maxItemsInFlight: number;
}

export const DEFAULT_MAX_ITEMS_IN_FLIGHT = 10_000;

export const INGESTION_HTTP_SETTINGS = Symbol('plafond.ingestion.HTTP_SETTINGS');

export function ingestionHttpSettings(
  partial: Partial<IngestionHttpSettings> = {},
): IngestionHttpSettings {
  const maxBatchItems = partial.maxBatchItems ?? DEFAULT_MAX_BATCH_ITEMS;
  if (!Number.isSafeInteger(maxBatchItems) || maxBatchItems < 1 || maxBatchItems > 100_000)
    throw new Error(`maxBatchItems must be an integer from 1 to 100000, got ${maxBatchItems}`);
  const maxItemsInFlight = partial.maxItemsInFlight ?? DEFAULT_MAX_ITEMS_IN_FLIGHT;
  if (!Number.isSafeInteger(maxItemsInFlight) || maxItemsInFlight < 1)
    throw new Error(`maxItemsInFlight must be a positive integer, got ${maxItemsInFlight}`);
  return { maxBatchItems, maxItemsInFlight };
}
