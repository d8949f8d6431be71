// readAll delivers in (transaction id, position) order, and a transaction gets its id at its first
// write, not when it reaches a stream. A unit of work that wrote elsewhere first must therefore
// not append behind a stream version written by a transaction with a larger id: that version
// would be delivered after the unit of work's later one. Real connections play every party.
import type { PoolClient } from 'pg';

import {
  LedgerConcurrencyError,
  PostgresEventStore,
  pgExecutor,
  pgPoolSource,
  type RecordedEvent,
  type SqlConnectionSource,
  type SqlExecutor,
} from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';
import { readAllSettled } from './support/read-all';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

let harness: LedgerHarness;
let store: PostgresEventStore;
let unitOfWork: PoolClient;

beforeAll(async () => {
  harness = await createLedgerHarness('ledger_stream_order');
});
afterAll(() => harness.close());

beforeEach(async () => {
  store = await harness.freshStore();
  unitOfWork = await harness.pool.connect();
});
afterEach(async () => {
  await unitOfWork.query('ROLLBACK');
  unitOfWork.release();
});

const countOn = (events: readonly RecordedEvent[], streamId: string) =>
  events.filter((event) => event.streamId === streamId).length;

/** Each stream's versions in readAll order must be exactly 1, 2, 3... */
function expectVersionOrderPerStream(events: readonly RecordedEvent[]): void {
  const byStream = new Map<string, bigint[]>();
  for (const event of events) {
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event.streamVersion]);
  }
  for (const [streamId, versions] of byStream) {
    expect({ streamId, versions }).toEqual({
      streamId,
      versions: versions.map((_, index) => BigInt(index + 1)),
    });
  }
}

const retryableOrderError = expect.objectContaining({
  code: 'LEDGER.CONCURRENCY',
  reason: 'RETRYABLE_TRANSACTION_ORDER',
  streamId: 'B',
  actual: 1n,
});

it('refuses, with a retryable typed error, a unit of work appending behind a later transaction', async () => {
  await unitOfWork.query('BEGIN');
  const tx = store.withExecutor(pgExecutor(unitOfWork));
  await tx.appendToStream('A', [amount(1)], { expectedVersion: 'no_stream' });
  // Autocommit on another connection: a larger transaction id, committed at once.
  await store.appendToStream('B', [amount(2)], { expectedVersion: 'no_stream' });

  for (const expectedVersion of [1n, 'any', 'stream_exists'] as const) {
    const error = await tx
      .appendToStream('B', [amount(3)], { expectedVersion })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LedgerConcurrencyError);
    expect(error).toEqual(retryableOrderError);
    expect((error as LedgerConcurrencyError).retryable).toBe(true);
  }
  await unitOfWork.query('ROLLBACK');

  // Retried whole, in a new transaction (a new, larger id), the unit of work succeeds.
  await unitOfWork.query('BEGIN');
  const retry = store.withExecutor(pgExecutor(unitOfWork));
  await retry.appendToStream('A', [amount(1)], { expectedVersion: 'no_stream' });
  await expect(
    retry.appendToStream('B', [amount(3)], { expectedVersion: 1n }),
  ).resolves.toMatchObject({ nextExpectedVersion: 2n });
  await unitOfWork.query('COMMIT');

  const events = await readAllSettled(store, 3);
  expect(events.map((event) => `${event.streamId}@${event.streamVersion}`)).toEqual([
    'B@1',
    'A@1',
    'B@2',
  ]);
  expectVersionOrderPerStream(events);
});

it('surfaces the error from transaction(work), which rolls back; retrying the work succeeds', async () => {
  const work = (attempt: number) =>
    store.transaction(async (tx) => {
      await tx.appendToStream('A', [amount(attempt, { eventId: `cmd-a` })]);
      // Only on the first attempt: an autocommit append to B commits in the middle.
      if (attempt === 1) await store.appendToStream('B', [amount(2)]);
      return tx.appendToStream('B', [amount(3, { eventId: 'cmd-b' })], { expectedVersion: 1n });
    });
  await expect(work(1)).rejects.toEqual(retryableOrderError);
  expect(await store.readStream('A')).toEqual([]);
  await expect(work(2)).resolves.toMatchObject({ nextExpectedVersion: 2n });

  const events = await readAllSettled(store, 3);
  expect(countOn(events, 'A')).toBe(1);
  expect(countOn(events, 'B')).toBe(2);
  expectVersionOrderPerStream(events);
});

it('lets one transaction append to a stream twice (its own id is not "later")', async () => {
  await store.transaction(async (tx) => {
    await tx.appendToStream('A', [amount(1)]);
    await tx.appendToStream('B', [amount(2)], { expectedVersion: 'no_stream' });
    await tx.appendToStream('A', [amount(3)], { expectedVersion: 1n });
    await tx.appendToStream('B', [amount(4)], { expectedVersion: 1n });
  });
  expectVersionOrderPerStream(await readAllSettled(store, 4));
});

/**
 * An autocommit append whose statement got its transaction id just before another transaction
 * moved the head (the race window between the id and the row lock), played deterministically:
 * the store's next statement runs in a transaction whose id was taken earlier, then commits.
 */
it('retries an autocommit append refused for transaction order in a new transaction', async () => {
  let early: PoolClient | undefined;
  let statements = 0;
  const pooled = pgPoolSource(harness.pool);
  const executor: SqlExecutor = {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]> {
      statements += 1;
      const client = early;
      early = undefined;
      if (client === undefined) return pooled.executor.query<Row>(text, params);
      const rows = await pgExecutor(client).query<Row>(text, params);
      await client.query('COMMIT');
      return rows;
    },
  };
  const connection: SqlConnectionSource = { executor, withTransaction: pooled.withTransaction };
  const racing = new PostgresEventStore({ schema: store.schema, connection });

  await unitOfWork.query('BEGIN');
  await unitOfWork.query('SELECT pg_current_xact_id()');
  await store.appendToStream('B', [amount(1)], { expectedVersion: 'no_stream' });
  // The head is known (version and hash), so the append is a single statement per attempt.
  await racing.aggregateStream('B', (count: number) => count + 1, { initialState: () => 0 });
  early = unitOfWork;
  statements = 0;

  const result = await racing.appendToStream('B', [amount(2)], { expectedVersion: 1n });
  expect(result).toMatchObject({ nextExpectedVersion: 2n, idempotentReplay: false });
  expect(early).toBeUndefined();
  expect(statements).toBe(2);
  const events = await readAllSettled(store, 2);
  expect(events.map((event) => `${event.streamId}@${event.streamVersion}`)).toEqual(['B@1', 'B@2']);
});
