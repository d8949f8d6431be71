// Property: concurrent writers with random expectations, delays and rollbacks on real
// PostgreSQL, while a reader follows readAll. Stream versions stay contiguous, no accepted event
// is lost or duplicated, and the reader gets every committed event exactly once, including
// events whose transaction held a lower position and committed after a higher one, and each
// stream's events in version order (a unit of work takes its transaction id at its first write,
// possibly before another transaction appends to its second stream).
import { setTimeout as sleep } from 'node:timers/promises';

import fc from 'fast-check';

import {
  LedgerConcurrencyError,
  START_CHECKPOINT,
  type ExpectedVersion,
  type PostgresEventStore,
  type RecordedEvent,
} from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';
import { drainAll, readAllSettled } from './support/read-all';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

const STREAMS = 3;
// About 10 s on a 2-core machine; a sampled run saw ~500 commits, ~200 refusals, ~50 rollbacks
// and a dozen deliveries out of position order (late commits of lower positions).
const NUM_RUNS = 60;

let harness: LedgerHarness;
beforeAll(async () => {
  harness = await createLedgerHarness('ledger_property', 16);
});
afterAll(() => harness.close());

class Rollback extends Error {}

const operation = fc.record({
  stream: fc.nat({ max: STREAMS - 1 }),
  /** A second stream in the same transaction; always a higher index, so locks are taken in one order. */
  alsoHigherStream: fc.boolean(),
  expectation: fc.constantFrom('read', 'guess', 'any', 'no_stream', 'stream_exists'),
  guess: fc.nat({ max: 6 }),
  events: fc.integer({ min: 1, max: 3 }),
  delayMs: fc.nat({ max: 5 }),
  /** Pause between the two streams: others may append to the second one meanwhile. */
  gapMs: fc.nat({ max: 5 }),
  holdMs: fc.nat({ max: 8 }),
  rollback: fc.nat({ max: 4 }).map((draw) => draw === 0),
  retry: fc.boolean(),
});
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;
const scenario = fc.array(fc.array(operation, { minLength: 1, maxLength: 4 }), {
  minLength: 2,
  maxLength: 5,
});

async function expectedVersionFor(
  op: Operation,
  read: () => Promise<bigint>,
): Promise<ExpectedVersion> {
  switch (op.expectation) {
    case 'read':
      return read();
    case 'guess':
      return op.guess;
    default:
      return op.expectation;
  }
}

/** Runs one operation; returns the ids it committed (none if refused or rolled back). */
async function runOperation(
  store: PostgresEventStore,
  op: Operation,
  idPrefix: string,
): Promise<string[]> {
  const streamId = `s${op.stream}`;
  const batch = Array.from({ length: op.events }, (_, index) =>
    amount(index, { eventId: `${idPrefix}-${index}` }),
  );
  const second = op.alsoHigherStream && op.stream < STREAMS - 1 ? `s${op.stream + 1}` : undefined;
  const secondBatch = [amount(7, { eventId: `${idPrefix}-second` })];
  try {
    const result = await store.transaction(async (tx) => {
      const read = async () =>
        (
          await tx.aggregateStream(streamId, (count: number) => count + 1, {
            initialState: () => 0,
          })
        ).currentVersion;
      const expectedVersion = await expectedVersionFor(op, read);
      await sleep(op.delayMs);
      const appended = await tx.appendToStream(streamId, batch, { expectedVersion });
      if (typeof expectedVersion !== 'string') {
        expect(appended.nextExpectedVersion).toBe(BigInt(expectedVersion) + BigInt(op.events));
      }
      if (second !== undefined) {
        await sleep(op.gapMs);
        await tx.appendToStream(second, secondBatch);
      }
      await sleep(op.holdMs);
      if (op.rollback) throw new Rollback();
      return appended;
    });
    if (op.retry) {
      const replay = await store.appendToStream(streamId, batch, { expectedVersion: 'any' });
      expect(replay).toEqual({ ...result, idempotentReplay: true });
    }
    return [...batch, ...(second === undefined ? [] : secondBatch)].map((event) => event.eventId!);
  } catch (error) {
    // Refusals, retryable ones included (the property is about what commits, not retries).
    if (error instanceof Rollback || error instanceof LedgerConcurrencyError) return [];
    throw error;
  }
}

/** Follows readAll in small pages while the writers run (bounded by the writers finishing). */
async function follow(
  store: PostgresEventStore,
  writersDone: () => boolean,
): Promise<RecordedEvent[]> {
  const delivered: RecordedEvent[] = [];
  let checkpoint = START_CHECKPOINT;
  for (let round = 0; round < 100_000 && !writersDone(); round++) {
    const page = await store.readAll({ after: checkpoint, maxCount: 3 });
    delivered.push(...page.events);
    checkpoint = page.checkpoint;
    await sleep(1);
  }
  const committedSoFar = await drainAll(store, checkpoint);
  delivered.push(...committedSoFar.events);
  return delivered;
}

it('keeps versions contiguous and delivers every committed event exactly once', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (writers) => {
      run += 1;
      const store = await harness.freshStore();
      let finished = 0;
      const following = follow(store, () => finished === writers.length);
      const committed = (
        await Promise.all(
          writers.map(async (operations, writer) => {
            const ids: string[] = [];
            for (const [index, op] of operations.entries())
              ids.push(...(await runOperation(store, op, `r${run}-w${writer}-o${index}`)));
            finished += 1;
            return ids;
          }),
        )
      ).flat();
      const followed = await following;
      const everything = await readAllSettled(store, committed.length);
      const late = await drainAll(
        store,
        followed.length === 0 ? START_CHECKPOINT : checkpointOf(followed),
      );
      const deliveredEvents = [...followed, ...late.events];
      const delivered = deliveredEvents.map((event) => event.eventId);

      expectVersionsIncreasePerStream(deliveredEvents);
      expectVersionsIncreasePerStream(everything);
      expect(new Set(delivered).size).toBe(delivered.length);
      expect([...delivered].sort()).toEqual([...committed].sort());
      expect(everything.map((event) => event.eventId).sort()).toEqual([...committed].sort());
      for (let stream = 0; stream < STREAMS; stream++) {
        const versions = (await store.readStream(`s${stream}`)).map((event) => event.streamVersion);
        expect(versions).toEqual(versions.map((_, index) => BigInt(index + 1)));
      }
      expect(await store.verify()).toMatchObject({ ok: true, eventsChecked: committed.length });
    }),
    { numRuns: NUM_RUNS },
  );
});

/** In readAll order, each stream's versions must strictly increase. */
function expectVersionsIncreasePerStream(events: readonly RecordedEvent[]): void {
  const lastVersion = new Map<string, bigint>();
  for (const event of events) {
    const previous = lastVersion.get(event.streamId) ?? 0n;
    if (event.streamVersion <= previous) {
      throw new Error(
        `readAll delivered ${event.streamId} v${event.streamVersion} after v${previous}`,
      );
    }
    lastVersion.set(event.streamId, event.streamVersion);
  }
}

function checkpointOf(events: RecordedEvent[]) {
  const last = events[events.length - 1]!;
  return { transactionId: last.transactionId, globalPosition: last.globalPosition };
}
