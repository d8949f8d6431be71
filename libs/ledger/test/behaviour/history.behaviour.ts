// Reads, time travel, transactions and the hash chain, shared by both stores.
import { eventHash, canonicalJson, type EventStore, type RecordedEvent } from '@plafond/ledger';

import { readAllSettled } from '../support/read-all';
import { amount, type StoreFactory } from './append.behaviour';

export const sumAmounts = (total: bigint, event: RecordedEvent): bigint =>
  total + BigInt((event.data as { amountMicroWh: string }).amountMicroWh);

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export function historyBehaviour(newStore: StoreFactory): void {
  let store: EventStore;
  beforeEach(async () => {
    store = await newStore();
  });

  describe('readStream', () => {
    it('reads version ranges and bounded counts', async () => {
      await store.appendToStream(
        's',
        [1, 2, 3, 4, 5].map((value) => amount(value)),
      );
      const versions = async (options: Parameters<EventStore['readStream']>[1]) =>
        (await store.readStream('s', options)).map((event) => event.streamVersion);
      expect(await versions({})).toEqual([1n, 2n, 3n, 4n, 5n]);
      expect(await versions({ fromVersion: 2n, toVersion: 4n })).toEqual([2n, 3n, 4n]);
      expect(await versions({ fromVersion: 4n })).toEqual([4n, 5n]);
      expect(await versions({ toVersion: 1n })).toEqual([1n]);
      expect(await versions({ fromVersion: 2n, maxCount: 2 })).toEqual([2n, 3n]);
      expect(await versions({ fromVersion: 6n })).toEqual([]);
      expect(await store.readStream('missing')).toEqual([]);
    });
  });

  describe('aggregateStream and time travel', () => {
    const initialState = () => 0n;

    it('folds a stream, and reports a missing one as not existing', async () => {
      await store.appendToStream('s', [amount(5), amount(7)]);
      expect(await store.aggregateStream('s', sumAmounts, { initialState })).toEqual({
        state: 12n,
        currentVersion: 2n,
        streamExists: true,
        eventsFolded: 2,
        snapshotsRejected: 0,
      });
      expect(await store.aggregateStream('missing', sumAmounts, { initialState })).toEqual({
        state: 0n,
        currentVersion: 0n,
        streamExists: false,
        eventsFolded: 0,
        snapshotsRejected: 0,
      });
    });

    it('returns the state as of a global position, with other streams interleaved', async () => {
      const first = await store.appendToStream('s', [amount(1)]);
      await store.appendToStream('other', [amount(100)]);
      const second = await store.appendToStream('s', [amount(10)]);
      await store.appendToStream('s', [amount(100)]);
      const asOf = async (position: bigint) =>
        (await store.aggregateStream('s', sumAmounts, { initialState, asOf: { position } })).state;
      expect(await asOf(first.lastGlobalPosition - 1n)).toBe(0n);
      expect(await asOf(first.lastGlobalPosition)).toBe(1n);
      expect(await asOf(second.lastGlobalPosition - 1n)).toBe(1n);
      expect(await asOf(second.lastGlobalPosition)).toBe(11n);
      expect(await asOf(second.lastGlobalPosition + 100n)).toBe(111n);
    });

    it('returns the state as of an instant (recorded-at, inclusive)', async () => {
      await store.appendToStream('s', [amount(1), amount(2)]);
      await pause(5);
      await store.appendToStream('s', [amount(10)]);
      const [first, , third] = await store.readStream('s');
      const asOf = async (at: Date) => {
        const result = await store.aggregateStream('s', sumAmounts, { initialState, asOf: { at } });
        return [result.state, result.currentVersion];
      };
      expect(third!.recordedAt.getTime()).toBeGreaterThan(first!.recordedAt.getTime());
      expect(await asOf(new Date(first!.recordedAt.getTime() - 1))).toEqual([0n, 0n]);
      expect(await asOf(first!.recordedAt)).toEqual([3n, 2n]);
      expect(await asOf(new Date(third!.recordedAt.getTime() - 1))).toEqual([3n, 2n]);
      expect(await asOf(third!.recordedAt)).toEqual([13n, 3n]);
    });
  });

  describe('readAll', () => {
    it('delivers every event once, in commit order, page by page', async () => {
      await store.appendToStream('a', [amount(1), amount(2)]);
      await store.appendToStream('b', [amount(3)]);
      await store.appendToStream('a', [amount(4), amount(5)]);
      await readAllSettled(store, 5);
      const first = await store.readAll({ maxCount: 2 });
      const seen: RecordedEvent[] = [...first.events];
      let checkpoint = first.checkpoint;
      for (let page = 0; page < 10; page++) {
        const next = await store.readAll({ after: checkpoint, maxCount: 2 });
        if (next.events.length === 0) {
          expect(next.checkpoint).toEqual(checkpoint);
          break;
        }
        seen.push(...next.events);
        checkpoint = next.checkpoint;
      }
      expect(seen.map((event) => event.data)).toEqual(
        [1, 2, 3, 4, 5].map((value) => ({ amountMicroWh: String(value) })),
      );
      const positions = seen.map((event) => event.globalPosition);
      expect(positions).toEqual([...positions].sort((left, right) => (left < right ? -1 : 1)));
      expect(checkpoint).toEqual({
        transactionId: seen[4]!.transactionId,
        globalPosition: seen[4]!.globalPosition,
      });
    });

    it('refuses a non-positive page size', async () => {
      await expect(store.readAll({ maxCount: 0 })).rejects.toMatchObject({
        code: 'LEDGER.INVALID_ARGUMENT',
      });
    });
  });

  describe('transaction', () => {
    it('commits appends to several streams together, under one transaction id', async () => {
      await store.transaction(async (tx) => {
        await tx.appendToStream('budget', [amount(1)], { expectedVersion: 'no_stream' });
        await tx.appendToStream('unit', [amount(2)], { expectedVersion: 'no_stream' });
        // Inside, the transaction reads its own appends but readAll does not show them yet.
        expect(await tx.readStream('budget')).toHaveLength(1);
        expect(
          (await tx.aggregateStream('unit', sumAmounts, { initialState: () => 0n })).state,
        ).toBe(2n);
        expect((await tx.readAll()).events).toEqual([]);
      });
      const events = await readAllSettled(store, 2);
      expect(events.map((event) => event.streamId)).toEqual(['budget', 'unit']);
      expect(new Set(events.map((event) => event.transactionId)).size).toBe(1);
    });

    it('rolls every append back when the work fails, including on a concurrency error', async () => {
      await store.appendToStream('unit', [amount(1)]);
      const failure = store.transaction(async (tx) => {
        await tx.appendToStream('budget', [amount(5)], { expectedVersion: 'no_stream' });
        await tx.appendToStream('unit', [amount(6)], { expectedVersion: 'no_stream' });
      });
      await expect(failure).rejects.toMatchObject({ code: 'LEDGER.CONCURRENCY', actual: 1n });
      expect(await store.readStream('budget')).toEqual([]);
      await expect(store.transaction(() => Promise.reject(new Error('boom')))).rejects.toThrow(
        'boom',
      );
      expect(await readAllSettled(store, 1)).toHaveLength(1);
      const retried = await store.appendToStream('budget', [amount(5)], {
        expectedVersion: 'no_stream',
      });
      expect(retried.nextExpectedVersion).toBe(1n);
    });

    it('returns what the work returns', async () => {
      const result = await store.transaction(
        async (tx) => (await tx.appendToStream('s', [amount(1)])).nextExpectedVersion,
      );
      expect(result).toBe(1n);
    });
  });

  describe('hash chain and verify', () => {
    it('chains each event to the previous one of its stream over the canonical encoding', async () => {
      await store.appendToStream('s', [amount(1), amount(2)]);
      await store.appendToStream('other', [amount(3)]);
      await store.appendToStream('s', [
        { type: 'T', data: { b: '1', a: ['x'] }, metadata: { actor: 'bob' } },
      ]);
      let prevHash: string | null = null;
      for (const event of await store.readStream('s')) {
        const expected = eventHash({
          streamId: event.streamId,
          streamVersion: event.streamVersion,
          eventId: event.eventId,
          type: event.type,
          dataJson: canonicalJson(event.data),
          metadataJson: canonicalJson(event.metadata),
          prevHash,
        });
        expect(event.hash).toBe(expected);
        prevHash = event.hash;
      }
      expect(await store.verify()).toEqual({ ok: true, eventsChecked: 4, streamsChecked: 2 });
      expect(await store.verify({ streamId: 's' })).toEqual({
        ok: true,
        eventsChecked: 3,
        streamsChecked: 1,
      });
    });
  });
}
