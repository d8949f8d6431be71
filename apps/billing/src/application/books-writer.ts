// Every billing append goes through here: append, read the new events back, and apply the
// `billing-books` projection to them in the same transaction, so the read model (statements,
// close, reconciliation) is exactly the ledger at every commit.
import type {
  EventToAppend,
  ExpectedVersion,
  RecordedEvent,
  TransactionalEventStore,
} from '@plafond/ledger';
import type { BillingEvent } from '../domain/billing.events';
import { projectEvents } from '../read/books.projection';

export type BillingEventToAppend = EventToAppend<BillingEvent>;

export interface AppendAndProjectOptions {
  readonly expectedVersion: ExpectedVersion;
  /** Schema of the read model (BillingSettings.readModelSchema). */
  readonly schema: string;
}

/**
 * Appends `events` to `streamId` and projects them inline. Returns the recorded events; an
 * idempotent replay (every event already there with the same content) returns [] and projects
 * nothing (it was projected when first written).
 */
export async function appendAndProject(
  tx: TransactionalEventStore,
  streamId: string,
  events: readonly BillingEventToAppend[],
  options: AppendAndProjectOptions,
): Promise<RecordedEvent<BillingEvent>[]> {
  if (events.length === 0) return [];
  const result = await tx.appendToStream(streamId, events, {
    expectedVersion: options.expectedVersion,
  });
  if (result.idempotentReplay) return [];
  const fromVersion = result.nextExpectedVersion - BigInt(events.length) + 1n;
  const recorded = await tx.readStream<BillingEvent>(streamId, {
    fromVersion,
    toVersion: result.nextExpectedVersion,
  });
  await projectEvents(tx, options.schema, recorded);
  return recorded;
}
