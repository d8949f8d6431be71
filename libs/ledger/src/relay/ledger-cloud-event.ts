import { createCloudEvent, type CloudEvent } from '@plafond/contracts';
import type { RecordedEvent } from '../types';

export interface RelayRoute {
  topic: string;
  /** CloudEvents `type`, e.g. `plafond.allocation.quota-reserved.v1`. */
  type: string;
}

/** Decides where an event goes; `null` keeps it inside the service (not published). */
export type RelayRouter = (event: RecordedEvent) => RelayRoute | null;

/** The Kafka message key: the partition key chosen by the writer, else the stream id. */
export function partitionKeyOf(event: RecordedEvent): string {
  const key = event.metadata.partitionKey;
  return typeof key === 'string' && key.length > 0 ? key : event.streamId;
}

/** ISO instant of the business fact when the command supplied one, else the commit time. */
export function eventTimeOf(event: RecordedEvent): string {
  const occurredAt = event.metadata.occurredAt;
  if (typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt)))
    return new Date(occurredAt).toISOString();
  return event.recordedAt.toISOString();
}

/**
 * The CloudEvent of a ledger event. `id` is the ledger event id, so a re-published event carries
 * the same id and consumers deduplicate on it; `partitionkey` becomes the Kafka record key.
 * Extension values are strings because CloudEvents integers are 32-bit and positions 64-bit.
 */
export function toLedgerCloudEvent(
  event: RecordedEvent,
  route: RelayRoute,
  source: string,
): CloudEvent {
  const extensions: Record<string, string> = {
    ledgerposition: event.globalPosition.toString(),
    ledgerstream: event.streamId,
    ledgerversion: event.streamVersion.toString(),
  };
  const { correlationId, causationId } = event.metadata;
  if (typeof correlationId === 'string' && correlationId.length > 0)
    extensions.correlationid = correlationId;
  if (typeof causationId === 'string' && causationId.length > 0)
    extensions.causationid = causationId;
  return createCloudEvent({
    id: event.eventId,
    source,
    type: route.type,
    subject: event.streamId,
    time: eventTimeOf(event),
    datacontenttype: 'application/json',
    partitionkey: partitionKeyOf(event),
    extensions,
    data: event.data,
  });
}
