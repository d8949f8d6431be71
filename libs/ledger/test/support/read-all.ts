import {
  START_CHECKPOINT,
  type EventStore,
  type GlobalCheckpoint,
  type RecordedEvent,
} from '@plafond/ledger';
import { waitFor } from '@plafond/testing';

const MAX_PAGES = 1_000;

/** Everything readAll delivers after `after`, page by page (bounded). */
export async function drainAll(
  store: Pick<EventStore, 'readAll'>,
  after: GlobalCheckpoint = START_CHECKPOINT,
  maxCount = 1_000,
): Promise<{ events: RecordedEvent[]; checkpoint: GlobalCheckpoint }> {
  const events: RecordedEvent[] = [];
  let checkpoint = after;
  for (let page = 0; page < MAX_PAGES; page++) {
    const next = await store.readAll({ after: checkpoint, maxCount });
    events.push(...next.events);
    checkpoint = next.checkpoint;
    if (next.events.length < maxCount) break;
  }
  return { events, checkpoint };
}

/**
 * All events readAll delivers, once at least `count` are visible. readAll holds back commits
 * while an older transaction anywhere in the cluster is still open (that is its guarantee), and
 * other test files (of this run or another) run on the same cluster, so a test waits for the
 * events instead of reading once.
 */
export function readAllSettled(
  store: Pick<EventStore, 'readAll'>,
  count: number,
  after: GlobalCheckpoint = START_CHECKPOINT,
): Promise<RecordedEvent[]> {
  return waitFor(
    async () => {
      const { events } = await drainAll(store, after);
      return events.length >= count ? events : false;
    },
    { timeoutMs: 60_000, intervalMs: 20, description: `${count} events visible to readAll` },
  );
}
