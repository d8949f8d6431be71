// Races between real connections: the database, not the client, decides who wins.
import { setTimeout as sleep } from 'node:timers/promises';

import { LedgerConcurrencyError, type PostgresEventStore } from '@plafond/ledger';

import { amount } from './behaviour/append.behaviour';
import { createLedgerHarness, type LedgerHarness } from './support/ledger-harness';

// The integration project's testTimeout is not applied per project by jest 30; readAll may wait
// for other suites' transactions on the shared cluster.
jest.setTimeout(120_000);

let harness: LedgerHarness;
let store: PostgresEventStore;

beforeAll(async () => {
  harness = await createLedgerHarness('ledger_races', 24);
});
afterAll(() => harness.close());
beforeEach(async () => {
  store = await harness.freshStore();
});

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const rejections = (results: PromiseSettledResult<unknown>[]) =>
  results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));

it('lets exactly one of many appenders at the same expected version win', async () => {
  await store.appendToStream('unit', [amount(1), amount(2)]);
  const results = await settle(
    Array.from({ length: 12 }, (_, index) =>
      store.appendToStream('unit', [amount(100 + index)], { expectedVersion: 2 }),
    ),
  );
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  for (const error of rejections(results)) {
    expect(error).toBeInstanceOf(LedgerConcurrencyError);
    expect(error).toMatchObject({
      code: 'LEDGER.CONCURRENCY',
      expected: 2,
      actual: 3n,
      reason: 'VERSION_MISMATCH',
    });
  }
  expect((await store.readStream('unit')).map((event) => event.streamVersion)).toEqual([
    1n,
    2n,
    3n,
  ]);
});

it('lets exactly one of many creators of a stream win', async () => {
  const results = await settle(
    Array.from({ length: 12 }, (_, index) =>
      store.appendToStream('new', [amount(index)], { expectedVersion: 'no_stream' }),
    ),
  );
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  for (const error of rejections(results))
    expect(error).toMatchObject({ code: 'LEDGER.CONCURRENCY', actual: 1n });
});

it('serialises many `any` appenders on one busy stream without losing or refusing one', async () => {
  const writers = 20;
  const results = await settle(
    Array.from({ length: writers }, (_, index) =>
      store.appendToStream('busy', [amount(index), amount(index)]),
    ),
  );
  expect(rejections(results)).toEqual([]);
  const versions = (await store.readStream('busy')).map((event) => event.streamVersion);
  expect(versions).toEqual(Array.from({ length: writers * 2 }, (_, index) => BigInt(index + 1)));
  expect(await store.verify()).toMatchObject({ ok: true, eventsChecked: writers * 2 });
});

it('turns a deadlock between two units of work into a concurrency error for one of them', async () => {
  let arrived = 0;
  const bothHoldOneStream = async () => {
    arrived += 1;
    for (let wait = 0; wait < 500 && arrived < 2; wait++) await sleep(5);
  };
  const crossing = (first: string, second: string) =>
    store.transaction(async (tx) => {
      await tx.appendToStream(first, [amount(1)]);
      await bothHoldOneStream();
      await tx.appendToStream(second, [amount(2)]);
    });
  const results = await settle([crossing('a', 'b'), crossing('b', 'a')]);
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  expect(rejections(results)).toEqual([
    expect.objectContaining({ code: 'LEDGER.CONCURRENCY', reason: 'DEADLOCK_OR_SERIALIZATION' }),
  ]);
  expect(await store.readStream('a')).toHaveLength(1);
  expect(await store.readStream('b')).toHaveLength(1);
});
