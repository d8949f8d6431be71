// What the ingestion ledger holds. Streams:
//   usage-<h>                       one per accepted usage: its UsageRecorded (h = hash of source, id)
//   usage-rejected-<uuid>           one per rejected item: its UsageRejected
//   factor-sets                     FactorSetPublished, in publication order
//   factor-set-adjustments-<v>      the UsageAdjusted events of publication v
// Every event's metadata.partitionKey is the unit (the relay's record key); a rejection of an
// item whose unit could not be read is keyed by its source.
import { createHash } from 'node:crypto';
import type { ContractIssue, UsageRecordedV1Json } from '@plafond/contracts';
import type { ConversionBreakdown, FactorSetJson, UsageAdjustment } from '../domain/conversion';

export const INGESTION_EVENT_TYPES = {
  usageRecorded: 'UsageRecorded',
  usageRejected: 'UsageRejected',
  usageAdjusted: 'UsageAdjusted',
  factorSetPublished: 'FactorSetPublished',
} as const;

export const FACTOR_SETS_STREAM = 'factor-sets';

export type IngestionChannel = 'http' | 'kafka';

/** data of UsageRejected: the item as received and every reason, for the rejected topic. */
export interface UsageRejectedData {
  readonly channel: IngestionChannel;
  readonly integratorId: string;
  readonly source?: string;
  readonly id?: string;
  readonly unitId?: string;
  /** The original item: its JSON text, or base64 for bytes that are not JSON. */
  readonly payload: string;
  readonly payloadEncoding: 'json' | 'base64';
  /** True when the payload was cut to 512 KiB (UTF-8, as escaped in the event) to fit in one event. */
  readonly payloadTruncated?: boolean;
  readonly reasons: readonly ContractIssue[];
}

/** data of UsageAdjusted: deltas to add to a recorded usage (decimal integer strings). */
export interface UsageAdjustedData {
  readonly reportedSource: string;
  readonly reportedId: string;
  readonly recordedEventId: string;
  readonly unitId: string;
  readonly useCase: string;
  readonly occurredAt: string;
  readonly method: string;
  readonly fromFactorSetVersion: string;
  readonly toFactorSetVersion: string;
  readonly energyDeltaMicroWh: string;
  readonly carbonDeltaMicroGrams: string;
  readonly energyMicroWh: string;
  readonly carbonMicroGrams: string;
}

export interface FactorSetPublishedData {
  readonly factorSet: FactorSetJson;
}

export type IngestionEvent =
  | { type: 'UsageRecorded'; data: UsageRecordedV1Json }
  | { type: 'UsageRejected'; data: UsageRejectedData }
  | { type: 'UsageAdjusted'; data: UsageAdjustedData }
  | { type: 'FactorSetPublished'; data: FactorSetPublishedData };

const digest = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

/** One stream per reported identity: `usage-<40 hex>` (sources and ids may be 2048 characters). */
export const usageStreamId = (source: string, id: string): string => `usage-${digest(source, id)}`;

/** The UsageRecorded id, from the reported identity: re-publishing it gives the same CloudEvent id. */
export const recordedEventId = (source: string, id: string): string =>
  `ingest-rec-${digest('recorded', source, id)}`;

export const adjustmentStreamId = (version: string): string => `factor-set-adjustments-${version}`;

export const adjustedEventId = (version: string, source: string, id: string): string =>
  `ingest-adj-${digest('adjusted', version, source, id)}`;

export const factorSetEventId = (version: string): string =>
  `ingest-fs-${digest('factor-set', version)}`;

export function adjustedData(adjustment: UsageAdjustment, recordedId: string): UsageAdjustedData {
  return {
    reportedSource: adjustment.reportedSource,
    reportedId: adjustment.reportedId,
    recordedEventId: recordedId,
    unitId: adjustment.unitId,
    useCase: adjustment.useCase,
    occurredAt: adjustment.occurredAt,
    method: adjustment.method,
    fromFactorSetVersion: adjustment.fromFactorSetVersion,
    toFactorSetVersion: adjustment.toFactorSetVersion,
    energyDeltaMicroWh: adjustment.energyDeltaMicroWh.toString(),
    carbonDeltaMicroGrams: adjustment.carbonDeltaMicroGrams.toString(),
    energyMicroWh: adjustment.energyMicroWh.toString(),
    carbonMicroGrams: adjustment.carbonMicroGrams.toString(),
  };
}

/** metadata.breakdown of UsageRecorded / UsageAdjusted: how the values were computed. */
export type BreakdownMetadata = { breakdown: ConversionBreakdown };
