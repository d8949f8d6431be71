// Bounds of the usage pipeline. Defaults here; the composition root maps environment variables
// onto a Partial<IngestionSettings> provided as INGESTION_SETTINGS.
import { RERATE_MAX_EVENTS } from '../domain/conversion';

export const INGESTION_SETTINGS = Symbol('plafond.ingestion.SETTINGS');

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface IngestionSettings {
  /** Oldest accepted occurredAt, back from now (INGEST.TOO_LATE beyond). */
  readonly maxLatenessMs: number;
  /** Furthest accepted occurredAt ahead of now (INGEST.IN_FUTURE beyond): clock skew. */
  readonly maxFutureSkewMs: number;
  /** How long a (source, id) is remembered; at least maxLatenessMs + maxFutureSkewMs. */
  readonly dedupWindowMs: number;
  /** Items of one batch processed at once (lanes, each with its own transactions). */
  readonly itemConcurrency: number;
  /**
   * Items a lane records in one transaction (1 = one transaction per item). If that transaction
   * fails, its items are taken again one by one, so a failure never undoes a neighbour's outcome.
   */
  readonly itemsPerTransaction: number;
  /** Recorded usages one factor-set publication may re-rate (FACTORSET.RERATE_TOO_LARGE beyond). */
  readonly rerateMaxEvents: number;
}

export const DEFAULT_INGESTION_SETTINGS: IngestionSettings = {
  maxLatenessMs: 30 * DAY_MS,
  maxFutureSkewMs: 5 * MINUTE_MS,
  dedupWindowMs: 35 * DAY_MS,
  itemConcurrency: 4,
  itemsPerTransaction: 20,
  rerateMaxEvents: RERATE_MAX_EVENTS,
};

/**
 * Defaults completed and checked. The dedup window must cover lateness + skew: an event is
 * then either still remembered or too late, so a replay can never be accepted twice.
 */
export function ingestionSettings(partial: Partial<IngestionSettings> = {}): IngestionSettings {
  const settings = { ...DEFAULT_INGESTION_SETTINGS, ...partial };
  const positive = (name: keyof IngestionSettings, max: number) => {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 1 || value > max)
      throw new RangeError(
        `ingestion setting ${name} must be an integer in 1..${max}, got ${value}`,
      );
  };
  positive('maxLatenessMs', 3650 * DAY_MS);
  positive('maxFutureSkewMs', DAY_MS);
  positive('dedupWindowMs', 3650 * DAY_MS);
  positive('itemConcurrency', 64);
  positive('itemsPerTransaction', 1000);
  positive('rerateMaxEvents', RERATE_MAX_EVENTS);
  if (settings.dedupWindowMs < settings.maxLatenessMs + settings.maxFutureSkewMs)
    throw new RangeError(
      'ingestion setting dedupWindowMs must be at least maxLatenessMs + maxFutureSkewMs, ' +
        'or a replayed event could be accepted twice',
    );
  return settings;
}
