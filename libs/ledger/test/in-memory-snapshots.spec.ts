// The in-memory store treats snapshots as the PostgreSQL store does: a verified, bounded cache.
// Its state is reached directly here to play the part of someone editing the snapshots table.
import type { SnapshotRejection } from '@plafond/ledger';

import { InMemoryEventStore, ledgerLimits } from '@plafond/ledger';
import { snapshotKey, type InMemoryLedgerState } from '../src/memory/in-memory-state';
import { amount } from './behaviour/append.behaviour';
import { sumAmounts } from './behaviour/history.behaviour';

describe('in-memory snapshots', () => {
  let store: InMemoryEventStore;
  let state: InMemoryLedgerState;
  const rejections: SnapshotRejection[] = [];
  const snapshot = {
    name: 'balance.v1',
    everyEvents: 2,
    onRejected: (rejection: SnapshotRejection) => rejections.push(rejection),
  };
  const load = () => store.aggregateStream('s', sumAmounts, { initialState: () => 0n, snapshot });
  const stored = () => state.snapshots.get(snapshotKey('s', 'balance.v1')) ?? [];

  beforeEach(async () => {
    rejections.length = 0;
    store = new InMemoryEventStore();
    state = (store as unknown as { state: InMemoryLedgerState }).state;
    for (let round = 0; round < 3; round++) {
      await store.appendToStream('s', [amount(1), amount(2)]);
      await load();
    }
  });

  it('keeps only the newest snapshots', () => {
    expect(stored().map((record) => record.streamVersion)).toEqual([6n, 4n]);
    expect(stored()).toHaveLength(ledgerLimits.SNAPSHOTS_KEPT_PER_STREAM);
  });

  it('does not return a state edited alone, folds from the older good snapshot, and reports it', async () => {
    const newest = stored()[0]!;
    newest.stateJson = '{"$bigint":"1000"}';
    const loaded = await load();
    expect(loaded).toMatchObject({ state: 9n, eventsFolded: 2, snapshotsRejected: 1 });
    expect(rejections).toEqual([
      { streamId: 's', snapshotName: 'balance.v1', streamVersion: 6n, reason: 'CHECKSUM_MISMATCH' },
    ]);
    // The load replaced the rejected row, so the next load is clean again.
    expect(await load()).toMatchObject({ state: 9n, eventsFolded: 0, snapshotsRejected: 0 });
  });

  it('folds from the start when every snapshot is rejected', async () => {
    for (const record of stored()) record.stateJson = '{"$bigint":"1000"}';
    expect(await load()).toMatchObject({ state: 9n, eventsFolded: 6, snapshotsRejected: 2 });
  });
});
