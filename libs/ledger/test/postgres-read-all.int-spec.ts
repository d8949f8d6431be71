// readAll in commit order: an event whose transaction commits late is never skipped, and a
// rolled-back transaction never stalls readers. Two real connections play the two writers.
import type { PoolClient } from 'pg';

import { pgExecutor, START_CHECKPOINT, type PostgresEventStore } from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';
import { drainAll, readAllSettled } from './support/read-all';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

let harness: LedgerHarness;
let store: PostgresEventStore;
let slow: PoolClient;
let fast: PoolClient;

beforeAll(async () => {
  harness = await createLedgerHarness('ledger_read_all');
});
afterAll(() => harness.close());

beforeEach(async () => {
  store = await harness.freshStore();
  slow = await harness.pool.connect();
  fast = await harness.pool.connect();
});
afterEach(async () => {
  await slow.query('ROLLBACK');
  slow.release();
  fast.release();
});

async function naiveReadByPosition(): Promise<bigint[]> {
  const { rows } = await harness.pool.query<{ global_position: string }>(
    `SELECT global_position FROM ${store.schema}.events ORDER BY global_position`,
  );
  return rows.map((row) => BigInt(row.global_position));
}

it('holds back a later commit until an open transaction holding a lower position commits', async () => {
  await slow.query('BEGIN');
  const held = await store.withExecutor(pgExecutor(slow)).appendToStream('slow', [amount(1)]);
  await fast.query('BEGIN');
  const committed = await store.withExecutor(pgExecutor(fast)).appendToStream('fast', [amount(2)]);
  await fast.query('COMMIT');
  expect(held.lastGlobalPosition).toBeLessThan(committed.lastGlobalPosition);

  // A reader by position alone would now deliver the fast event and move its checkpoint past
  // the slow one, losing it for good. readAll delivers nothing yet and keeps its checkpoint.
  expect(await naiveReadByPosition()).toEqual([committed.lastGlobalPosition]);
  const whileOpen = await store.readAll({ after: START_CHECKPOINT });
  expect(whileOpen).toEqual({ events: [], checkpoint: START_CHECKPOINT });

  await slow.query('COMMIT');
  const events = await readAllSettled(store, 2);
  expect(events.map((event) => event.streamId)).toEqual(['slow', 'fast']);
  expect(events[0]!.transactionId).toBeLessThan(events[1]!.transactionId);
});

it('resumes from a checkpoint without skipping or repeating an event committed late', async () => {
  await store.appendToStream('before', [amount(1)]);
  const first = await readAllSettled(store, 1);
  const checkpoint = {
    transactionId: first[0]!.transactionId,
    globalPosition: first[0]!.globalPosition,
  };

  await slow.query('BEGIN');
  await store.withExecutor(pgExecutor(slow)).appendToStream('slow', [amount(2)]);
  await store.appendToStream('fast', [amount(3)]);
  expect((await store.readAll({ after: checkpoint })).events).toEqual([]);
  await slow.query('COMMIT');

  const settled = await readAllSettled(store, 2, checkpoint);
  expect(settled.map((event) => event.streamId)).toEqual(['slow', 'fast']);
  const again = await drainAll(store, checkpoint);
  expect(again.events.map((event) => event.eventId)).toEqual(settled.map((event) => event.eventId));
});

it('is not stalled by a rolled-back transaction', async () => {
  await slow.query('BEGIN');
  const rolledBack = await store.withExecutor(pgExecutor(slow)).appendToStream('slow', [amount(1)]);
  await store.appendToStream('fast', [amount(2)]);
  await slow.query('ROLLBACK');

  const events = await readAllSettled(store, 1);
  expect(events.map((event) => event.streamId)).toEqual(['fast']);
  expect(events[0]!.globalPosition).toBeGreaterThan(rolledBack.lastGlobalPosition);
  // The rolled-back stream never existed: it can be created again.
  await expect(
    store.appendToStream('slow', [amount(3)], { expectedVersion: 'no_stream' }),
  ).resolves.toMatchObject({
    nextExpectedVersion: 1n,
  });
});
