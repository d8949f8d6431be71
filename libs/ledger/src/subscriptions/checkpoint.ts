import type { GlobalCheckpoint, RecordedEvent } from '../types';
import { SubscriptionError } from './subscription.errors';

/** Lexicographic order of commit-order positions: by transaction id, then global position. */
export function compareCheckpoints(left: GlobalCheckpoint, right: GlobalCheckpoint): number {
  if (left.transactionId !== right.transactionId)
    return left.transactionId < right.transactionId ? -1 : 1;
  if (left.globalPosition !== right.globalPosition)
    return left.globalPosition < right.globalPosition ? -1 : 1;
  return 0;
}

export function checkpointOf(
  event: Pick<RecordedEvent, 'transactionId' | 'globalPosition'>,
): GlobalCheckpoint {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}

export function formatCheckpoint(checkpoint: GlobalCheckpoint): string {
  return `${checkpoint.transactionId}/${checkpoint.globalPosition}`;
}

/**
 * Asserts what a batch read from `from` must look like before any effect is applied: bounded,
 * strictly increasing in commit order, entirely after `from`, ending at `to`. A violation means
 * the store broke its contract; processing it would skip or repeat events, so it stops here.
 */
export function assertBatchInvariants(
  from: GlobalCheckpoint,
  to: GlobalCheckpoint,
  events: readonly RecordedEvent[],
  maxCount: number,
): void {
  const fail = (why: string): never => {
    throw new SubscriptionError(
      'LEDGER.SUBSCRIPTION_INVARIANT',
      `batch after ${formatCheckpoint(from)}: ${why}`,
    );
  };
  if (events.length > maxCount) fail(`${events.length} events exceed the batch size ${maxCount}`);
  let previous = from;
  for (const event of events) {
    const position = checkpointOf(event);
    if (compareCheckpoints(position, previous) <= 0) {
      fail(
        `event ${event.eventId} at ${formatCheckpoint(position)} is not after ${formatCheckpoint(previous)}`,
      );
    }
    previous = position;
  }
  if (events.length > 0 && compareCheckpoints(previous, to) !== 0) {
    fail(
      `returned checkpoint ${formatCheckpoint(to)} is not the last event ${formatCheckpoint(previous)}`,
    );
  }
}
