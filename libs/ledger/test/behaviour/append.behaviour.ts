// Behaviour of appendToStream shared by both stores: each store's test file calls this with a
// factory, so the in-memory store is held to exactly what PostgreSQL does.
import {
  LedgerConcurrencyError,
  LedgerIdempotencyConflictError,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
} from '@plafond/ledger';

import { readAllSettled } from '../support/read-all';

export type StoreFactory = () => Promise<EventStore>;

export const amount = (value: number, extra: Partial<EventToAppend> = {}): EventToAppend => ({
  type: 'AmountRecorded',
  data: { amountMicroWh: String(value) },
  ...extra,
});

export function appendBehaviour(newStore: StoreFactory): void {
  let store: EventStore;
  beforeEach(async () => {
    store = await newStore();
  });

  describe('expected versions', () => {
    it('creates a stream with no_stream and continues it at exact versions', async () => {
      const first = await store.appendToStream('unit-1', [amount(1), amount(2)], {
        expectedVersion: 'no_stream',
      });
      expect(first).toMatchObject({
        streamId: 'unit-1',
        nextExpectedVersion: 2n,
        idempotentReplay: false,
      });
      const second = await store.appendToStream('unit-1', [amount(3)], {
        expectedVersion: first.nextExpectedVersion,
      });
      expect(second.nextExpectedVersion).toBe(3n);
      expect(second.lastGlobalPosition).toBeGreaterThan(first.lastGlobalPosition);
      const third = await store.appendToStream('unit-1', [amount(4)], { expectedVersion: 3 });
      expect(third.nextExpectedVersion).toBe(4n);
      const versions = (await store.readStream('unit-1')).map((event) => event.streamVersion);
      expect(versions).toEqual([1n, 2n, 3n, 4n]);
    });

    const accepted: [string, number, ExpectedVersion | undefined][] = [
      ['no_stream on a new stream', 0, 'no_stream'],
      ['0 on a new stream', 0, 0],
      ['any on a new stream', 0, 'any'],
      ['no option on a new stream', 0, undefined],
      ['the exact number', 2, 2],
      ['the exact bigint', 2, 2n],
      ['stream_exists', 2, 'stream_exists'],
      ['any on an existing stream', 2, 'any'],
    ];
    it.each(accepted)('accepts %s', async (_name, existing, expectedVersion) => {
      if (existing > 0) await store.appendToStream('s', [amount(1), amount(2)]);
      const result = await store.appendToStream('s', [amount(9)], { expectedVersion });
      expect(result.nextExpectedVersion).toBe(BigInt(existing + 1));
    });

    const refused: [string, number, ExpectedVersion, bigint][] = [
      ['no_stream on an existing stream', 2, 'no_stream', 2n],
      ['0 on an existing stream', 2, 0, 2n],
      ['an older version', 2, 1, 2n],
      ['a newer version', 2, 3n, 2n],
      ['stream_exists on a new stream', 0, 'stream_exists', 0n],
      ['a version on a new stream', 0, 1, 0n],
    ];
    it.each(refused)(
      'refuses %s with a typed concurrency error and writes nothing',
      async (_name, existing, expectedVersion, actual) => {
        if (existing > 0) await store.appendToStream('s', [amount(1), amount(2)]);
        const error = await store
          .appendToStream('s', [amount(9)], { expectedVersion })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(LedgerConcurrencyError);
        expect(error).toMatchObject({
          code: 'LEDGER.CONCURRENCY',
          streamId: 's',
          expected: expectedVersion,
          actual,
        });
        expect(await store.readStream('s')).toHaveLength(existing);
        expect(await readAllSettled(store, existing)).toHaveLength(existing);
      },
    );

    it('refuses negative and fractional expected versions', async () => {
      await expect(
        store.appendToStream('s', [amount(1)], { expectedVersion: -1 }),
      ).rejects.toMatchObject({
        code: 'LEDGER.INVALID_ARGUMENT',
      });
      await expect(
        store.appendToStream('s', [amount(1)], { expectedVersion: 1.5 }),
      ).rejects.toMatchObject({
        code: 'LEDGER.INVALID_ARGUMENT',
      });
    });
  });

  describe('client-chosen ids', () => {
    it('returns the original result for the same id and content, writing nothing', async () => {
      await store.appendToStream('s', [amount(1)]);
      const batch = [amount(2, { eventId: 'cmd-7-a' }), amount(3, { eventId: 'cmd-7-b' })];
      const original = await store.appendToStream('s', batch, { expectedVersion: 1 });
      // The retry carries the stale expected version of the first attempt: still a replay.
      const replay = await store.appendToStream('s', batch, { expectedVersion: 1 });
      expect(replay).toEqual({ ...original, idempotentReplay: true });
      expect(await store.readStream('s')).toHaveLength(3);
      expect(await readAllSettled(store, 3)).toHaveLength(3);
    });

    it('treats a different metadata as the same command (a retry may carry a new correlation id)', async () => {
      const original = await store.appendToStream('s', [
        amount(1, { eventId: 'e1', metadata: { correlationId: 'c1' } }),
      ]);
      const replay = await store.appendToStream('s', [
        amount(1, { eventId: 'e1', metadata: { correlationId: 'c2' } }),
      ]);
      expect(replay).toEqual({ ...original, idempotentReplay: true });
      expect((await store.readStream('s'))[0]?.metadata).toEqual({ correlationId: 'c1' });
    });

    const conflicts: [string, string, EventToAppend[]][] = [
      ['different data', 's', [amount(2, { eventId: 'e1' })]],
      ['a different type', 's', [{ type: 'Other', data: { amountMicroWh: '1' }, eventId: 'e1' }]],
      ['another stream', 'other', [amount(1, { eventId: 'e1' })]],
      ['a batch mixing a replay with a new event', 's', [amount(1, { eventId: 'e1' }), amount(5)]],
      [
        'a batch mixing a replay with a new client id',
        's',
        [amount(1, { eventId: 'e1' }), amount(5, { eventId: 'e2' })],
      ],
    ];
    it.each(conflicts)(
      'raises an idempotency conflict for %s and writes nothing',
      async (_name, streamId, events) => {
        await store.appendToStream('s', [amount(1, { eventId: 'e1' })]);
        const error = await store
          .appendToStream(streamId, events)
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(LedgerIdempotencyConflictError);
        expect(error).toMatchObject({ code: 'LEDGER.IDEMPOTENCY_CONFLICT' });
        expect(await readAllSettled(store, 1)).toHaveLength(1);
      },
    );

    it('replays a batch mixing client ids and unset ids (the unset ones are derived, not random)', async () => {
      const batch = (): EventToAppend[] => [
        { type: 'AuditNoted', data: { note: 'before' } },
        amount(1, { eventId: 'cmd-1' }),
        { type: 'AuditNoted', data: { note: 'after' } },
      ];
      const original = await store.appendToStream('s', batch(), { expectedVersion: 'no_stream' });
      const replay = await store.appendToStream('s', batch(), { expectedVersion: 'no_stream' });
      expect(replay).toEqual({ ...original, idempotentReplay: true });
      const ids = (await store.readStream('s')).map((event) => event.eventId);
      expect(ids).toHaveLength(3);
      expect(ids[1]).toBe('cmd-1');
      // Name-based UUIDs (version 8, RFC 9562 variant) of the first client id and the index.
      for (const id of [ids[0], ids[2]]) {
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
      expect(ids[0]).not.toBe(ids[2]);

      // Another stream with another first client id derives other ids: no false replay.
      const other = await store.appendToStream('t', [
        { type: 'AuditNoted', data: { note: 'before' } },
        amount(1, { eventId: 'cmd-2' }),
      ]);
      expect(other.idempotentReplay).toBe(false);
      const otherIds = (await store.readStream('t')).map((event) => event.eventId);
      expect(otherIds[0]).not.toBe(ids[0]);

      // Same client id, other content at a derived position: the same command it is not.
      const changed = batch();
      changed[2] = { type: 'AuditNoted', data: { note: 'changed' } };
      await expect(store.appendToStream('s', changed)).rejects.toBeInstanceOf(
        LedgerIdempotencyConflictError,
      );
      expect(await readAllSettled(store, 5)).toHaveLength(5);
    });

    it('refuses the same id twice in one batch', async () => {
      await expect(
        store.appendToStream('s', [amount(1, { eventId: 'dup' }), amount(2, { eventId: 'dup' })]),
      ).rejects.toMatchObject({ code: 'LEDGER.INVALID_EVENT' });
    });
  });

  describe('event content', () => {
    it('stores data and metadata exactly and returns them unchanged', async () => {
      const data = {
        amountMicroWh: '9007199254740993',
        unit: { id: 'ü-1', path: ['a', 'b'] },
        count: 3,
        ok: true,
        none: null,
      };
      const metadata = {
        actor: 'alice',
        correlationId: 'c',
        causationId: 'k',
        occurredAt: '2026-01-01T00:00:00.000Z',
      };
      await store.appendToStream('s', [{ type: 'T', data, metadata, eventId: 'id-1' }]);
      const [event] = await store.readStream('s');
      expect(event).toMatchObject({
        eventId: 'id-1',
        streamId: 's',
        streamVersion: 1n,
        type: 'T',
        data,
        metadata,
      });
      expect(event?.recordedAt).toBeInstanceOf(Date);
      expect(event?.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    const invalid: [string, unknown][] = [
      ['a float', { amount: 1.5 }],
      ['an unsafe integer', { amount: 2 ** 60 }],
      ['a non-finite number', { amount: Number.POSITIVE_INFINITY }],
      ['a bigint', { amount: 10n }],
      ['a Date', { at: new Date(0) }],
      ['a NUL character', { text: 'a\u0000b' }],
    ];
    it.each(invalid)('refuses %s in data with LEDGER.INVALID_EVENT', async (_name, data) => {
      await expect(store.appendToStream('s', [{ type: 'T', data }])).rejects.toMatchObject({
        code: 'LEDGER.INVALID_EVENT',
      });
      expect(await store.readStream('s')).toEqual([]);
    });

    it('refuses an empty batch and an empty stream id', async () => {
      await expect(store.appendToStream('s', [])).rejects.toMatchObject({
        code: 'LEDGER.INVALID_EVENT',
      });
      await expect(store.appendToStream('', [amount(1)])).rejects.toMatchObject({
        code: 'LEDGER.INVALID_EVENT',
      });
    });
  });
}
