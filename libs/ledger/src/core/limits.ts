import { LedgerInvalidArgumentError } from '../errors';

// Every batch, page and retry in the ledger is bounded; the bounds live here so they are
// documented once and shared by both stores.

/** Events in one append call. */
export const MAX_EVENTS_PER_APPEND = 1_000;
/** Canonical JSON bytes of one event's data plus metadata. */
export const MAX_EVENT_BYTES = 1_048_576;
/** Length of stream ids, event ids and event types. */
export const MAX_IDENTIFIER_LENGTH = 200;
/** Statement attempts of one append when the stream head moved under a non-exact expectation. */
export const MAX_APPEND_ATTEMPTS = 8;
/** readAll page size: default and hard cap. */
export const DEFAULT_READ_ALL_COUNT = 500;
export const MAX_READ_ALL_COUNT = 10_000;
/** readStream page size cap (also the default: pass fromVersion to read further). */
export const MAX_READ_STREAM_COUNT = 10_000;
/** Rows fetched per round trip while folding a stream or verifying chains. */
export const FOLD_PAGE_SIZE = 1_000;
export const VERIFY_PAGE_SIZE = 1_000;
/** Snapshot cadence: default and bounds. */
export const DEFAULT_SNAPSHOT_EVERY_EVENTS = 100;
export const MAX_SNAPSHOT_EVERY_EVENTS = 10_000;
/** Stream heads (version, last hash) remembered to save a round trip on the next append. */
export const STREAM_HEAD_CACHE_SIZE = 10_000;

/** A caller's page size: positive, and capped rather than refused above the bound. */
export function boundedCount(
  name: string,
  value: number | undefined,
  fallback: number,
  max: number,
): number {
  const count = value ?? fallback;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new LedgerInvalidArgumentError(`${name} must be a positive integer, got ${count}`);
  }
  return Math.min(count, max);
}
/**
 * Snapshots kept per stream and snapshot name; older ones are deleted by the statement that
 * writes a new one. Two, so that a rejected newest snapshot still leaves one to fold from.
 */
export const SNAPSHOTS_KEPT_PER_STREAM = 2;
