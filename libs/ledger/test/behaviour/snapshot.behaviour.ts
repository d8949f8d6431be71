// Snapshots keep the cost of loading a long stream bounded; shared by both stores.
import type { EventStore, RecordedEvent, SnapshotOptions } from '@plafond/ledger';

import { amount, type StoreFactory } from './append.behaviour';
import { sumAmounts } from './history.behaviour';

interface Balance {
  totalMicroWh: bigint;
  lastChangeAt: Date;
  history: string[];
}

const initialBalance = (): Balance => ({
  totalMicroWh: 0n,
  lastChangeAt: new Date(0),
  history: [],
});

export function snapshotBehaviour(newStore: StoreFactory): void {
  let store: EventStore;
  beforeEach(async () => {
    store = await newStore();
  });

  it('folds a bounded number of events per command however long the stream grows', async () => {
    const everyEvents = 10;
    const eventsPerCommand = 3;
    const commands = 60;
    const snapshot: SnapshotOptions<bigint> = { name: 'balance.v1', everyEvents };
    let evolveCalls = 0;
    const countingEvolve = (total: bigint, event: RecordedEvent) => {
      evolveCalls += 1;
      return sumAmounts(total, event);
    };
    let expectedTotal = 0n;
    let maxFoldedPerCommand = 0;
    for (let command = 0; command < commands; command++) {
      evolveCalls = 0;
      const loaded = await store.aggregateStream('unit', countingEvolve, {
        initialState: () => 0n,
        snapshot,
      });
      expect(loaded.eventsFolded).toBe(evolveCalls);
      expect(loaded.state).toBe(expectedTotal);
      maxFoldedPerCommand = Math.max(maxFoldedPerCommand, evolveCalls);
      const events = Array.from({ length: eventsPerCommand }, (_, index) =>
        amount(command * 10 + index),
      );
      await store.appendToStream('unit', events, { expectedVersion: loaded.currentVersion });
      expectedTotal += events.reduce(
        (sum, event) => sum + BigInt((event.data as { amountMicroWh: string }).amountMicroWh),
        0n,
      );
    }
    // Bound: fewer than `everyEvents` events since the last snapshot, plus one command's events.
    expect(maxFoldedPerCommand).toBeLessThanOrEqual(everyEvents - 1 + eventsPerCommand);
    const withoutSnapshot = await store.aggregateStream('unit', sumAmounts, {
      initialState: () => 0n,
    });
    expect(withoutSnapshot.eventsFolded).toBe(commands * eventsPerCommand);
    expect(withoutSnapshot.state).toBe(expectedTotal);
  });

  it('folds a tail appended without loads once, then stays bounded', async () => {
    const everyEvents = 10;
    const snapshot: SnapshotOptions<bigint> = { name: 'balance.v1', everyEvents };
    // Snapshots are taken on loads: 40 appends with no load in between leave a 200-event tail.
    for (let command = 0; command < 40; command++) {
      const events = Array.from({ length: 5 }, (_, index) => amount(command * 5 + index + 1));
      await store.appendToStream('unit', events, { expectedVersion: 'any' });
    }
    const expectedTotal = (200n * 201n) / 2n; // amounts 1..200
    const load = () =>
      store.aggregateStream('unit', sumAmounts, { initialState: () => 0n, snapshot });
    const first = await load();
    expect(first).toMatchObject({ state: expectedTotal, eventsFolded: 200, snapshotsRejected: 0 });
    const second = await load();
    expect(second.state).toBe(expectedTotal);
    expect(second.eventsFolded).toBeLessThanOrEqual(everyEvents - 1);
    await store.appendToStream('unit', [amount(201), amount(202), amount(203)]);
    const third = await load();
    expect(third).toMatchObject({ state: expectedTotal + 606n, eventsFolded: 3 });
  });

  it('ignores snapshots written under another name, then snapshots under the new one', async () => {
    await store.appendToStream(
      'unit',
      Array.from({ length: 25 }, (_, index) => amount(index + 1)),
    );
    const v1: SnapshotOptions<bigint> = { name: 'balance.v1', everyEvents: 10 };
    expect(
      (await store.aggregateStream('unit', sumAmounts, { initialState: () => 0n, snapshot: v1 }))
        .eventsFolded,
    ).toBe(25);
    expect(
      (await store.aggregateStream('unit', sumAmounts, { initialState: () => 0n, snapshot: v1 }))
        .eventsFolded,
    ).toBe(0);
    // A new evolve (here: doubling) under a new name must not start from v1's state.
    const doubled = (total: bigint, event: RecordedEvent) =>
      sumAmounts(total, event) + sumAmounts(0n, event);
    const v2: SnapshotOptions<bigint> = { name: 'balance.v2', everyEvents: 10 };
    const first = await store.aggregateStream('unit', doubled, {
      initialState: () => 0n,
      snapshot: v2,
    });
    expect(first).toMatchObject({ state: 650n, eventsFolded: 25 });
    const second = await store.aggregateStream('unit', doubled, {
      initialState: () => 0n,
      snapshot: v2,
    });
    expect(second).toMatchObject({ state: 650n, eventsFolded: 0 });
  });

  it('time-travels correctly past snapshots and keeps bigint and Date state intact', async () => {
    const evolve = (state: Balance, event: RecordedEvent): Balance => ({
      totalMicroWh: sumAmounts(state.totalMicroWh, event),
      lastChangeAt: event.recordedAt,
      history: [...state.history.slice(-2), event.eventId],
    });
    const snapshot: SnapshotOptions<Balance> = { name: 'balance.v1', everyEvents: 5 };
    const positions: bigint[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const result = await store.appendToStream(
        'unit',
        [1, 2, 3, 4].map((value) => amount(batch * 100 + value)),
      );
      positions.push(result.lastGlobalPosition);
      await store.aggregateStream('unit', evolve, { initialState: initialBalance, snapshot });
    }
    const full = await store.aggregateStream('unit', evolve, { initialState: initialBalance });
    const cached = await store.aggregateStream('unit', evolve, {
      initialState: initialBalance,
      snapshot,
    });
    expect(cached.state).toEqual(full.state);
    expect(cached.eventsFolded).toBe(0);
    const asOf = { position: positions[1]! };
    const pastFull = await store.aggregateStream('unit', evolve, {
      initialState: initialBalance,
      asOf,
    });
    const pastCached = await store.aggregateStream('unit', evolve, {
      initialState: initialBalance,
      asOf,
      snapshot,
    });
    expect(pastCached.state).toEqual(pastFull.state);
    expect(pastCached.currentVersion).toBe(8n);
    expect(pastCached.state.totalMicroWh).toBe(10n + 410n);
  });

  it('uses a caller-supplied codec', async () => {
    await store.appendToStream('unit', [amount(4), amount(6)]);
    const snapshot: SnapshotOptions<bigint> = {
      name: 'balance.codec',
      everyEvents: 1,
      encode: (total) => ({ total: total.toString() }),
      decode: (json) => BigInt((json as { total: string }).total),
    };
    await store.aggregateStream('unit', sumAmounts, { initialState: () => 0n, snapshot });
    await store.appendToStream('unit', [amount(5)]);
    const loaded = await store.aggregateStream('unit', sumAmounts, {
      initialState: () => 0n,
      snapshot,
    });
    expect(loaded).toMatchObject({ state: 15n, eventsFolded: 1 });
  });

  it('refuses an unbounded snapshot cadence', async () => {
    await store.appendToStream('unit', [amount(1)]);
    const snapshot = { name: 'x', everyEvents: 0 };
    await expect(
      store.aggregateStream('unit', sumAmounts, { initialState: () => 0n, snapshot }),
    ).rejects.toMatchObject({
      code: 'LEDGER.INVALID_ARGUMENT',
    });
  });
}
