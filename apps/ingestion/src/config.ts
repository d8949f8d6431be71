import { EnvVar, IntegerVar, ServiceConfig } from '@plafond/platform';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The ingestion service's settings; everything is validated at start (see docs/configuration.md). */
export class IngestionConfig extends ServiceConfig {
  override port = 3002;
  override databaseSchema = 'ingestion';
  override kafkaClientId = 'plafond-ingestion';

  @EnvVar({
    name: 'INGEST_MAX_LATENESS_MS',
    description:
      'Oldest accepted usage: occurredAt further back than this is rejected (INGEST.TOO_LATE).',
    example: '2592000000',
  })
  @IntegerVar(1, 3650 * DAY_MS)
  ingestMaxLatenessMs = 30 * DAY_MS;

  @EnvVar({
    name: 'INGEST_MAX_FUTURE_SKEW_MS',
    description:
      'Clock skew tolerated: occurredAt further ahead of now is rejected (INGEST.IN_FUTURE).',
    example: '300000',
  })
  @IntegerVar(1, DAY_MS)
  ingestMaxFutureSkewMs = 5 * MINUTE_MS;

  @EnvVar({
    name: 'INGEST_DEDUP_WINDOW_MS',
    description:
      'How long a (source, id) is remembered for deduplication; at least lateness + skew ' +
      '(checked at start).',
    example: '3024000000',
  })
  @IntegerVar(1, 3650 * DAY_MS)
  ingestDedupWindowMs = 35 * DAY_MS;

  @EnvVar({
    name: 'INGEST_MAX_BATCH_ITEMS',
    description: 'Items per POST /v1/usage; beyond, 413 INGEST.BATCH_TOO_LARGE.',
    example: '1000',
  })
  @IntegerVar(1, 100_000)
  ingestMaxBatchItems = 1000;

  @EnvVar({
    name: 'INGEST_MAX_ITEMS_IN_FLIGHT',
    description:
      'Usage items of POST /v1/usage batches this instance works on at once; a batch that would ' +
      'exceed it is refused before any work with 503 INGEST.BUSY (Retry-After: 1, nothing ' +
      'recorded). A batch alone is always admitted.',
    example: '10000',
  })
  @IntegerVar(1, 1_000_000)
  ingestMaxItemsInFlight = 10_000;
}
