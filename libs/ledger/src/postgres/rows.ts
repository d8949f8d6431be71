import type { EventMetadata, RecordedEvent } from '../types';
import type { EventRow } from './statements';

/** bigint columns arrive as text by default, or as bigint/number if the app changed pg's parsers. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  throw new TypeError(`expected an integer column, got ${typeof value}`);
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: toBigInt(row.stream_version),
    globalPosition: toBigInt(row.global_position),
    transactionId: toBigInt(row.transaction_id),
    type: row.event_type,
    data: row.data,
    metadata: (row.metadata ?? {}) as EventMetadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    hash: row.hash,
  };
}
