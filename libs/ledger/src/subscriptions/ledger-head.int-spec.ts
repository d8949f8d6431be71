// Subscription lag, the oldest-open-transaction stall, and the guard against running on a
// logically restored database (transaction ids of the events ahead of the cluster's).
import { waitFor } from '@plafond/testing';
import { KafkaRelay } from '../relay/kafka-relay';
import { testKafka } from '../relay/testing/kafka-test-kit';
import { createExternalSubscription } from './external-subscription';
import { readSnapshotHead } from './ledger-head';
import type { Subscription } from './subscription';
import { quietLogger } from './testing/async-helpers';
import {
  amountEvents,
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from './testing/ledger-test-kit';

jest.setTimeout(120_000);

/** Another suite's open transaction on the shared cluster may hold events back for a moment. */
async function catchUpFully(subscription: Subscription): Promise<void> {
  await waitFor(async () => {
    await subscription.catchUp();
    return (await subscription.lag()).eventsBehind === 0 || undefined;
  });
}

function subscriptionOn(kit: LedgerTestKit, name: string): Subscription {
  return createExternalSubscription({
    name,
    store: kit.store,
    schema: LEDGER_SCHEMA,
    idlePollMs: 5,
    logger: quietLogger,
    handle: () => Promise.resolve(),
  });
}

describe('subscription lag', () => {
  let kit: LedgerTestKit;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_lag');
  });
  afterAll(async () => {
    await kit.close();
  });

  it('counts the events after the checkpoint, and none once caught up', async () => {
    const subscription = subscriptionOn(kit, 'lag-counted');
    await kit.store.appendToStream('lag-a', amountEvents(5, 1n));
    expect(await subscription.lag()).toMatchObject({ eventsBehind: 5, atLeast: false });
    await catchUpFully(subscription);
    expect(subscription.status().eventsProcessed).toBe(5);
  });

  it('shows events held back by an older open transaction anywhere in the cluster', async () => {
    const subscription = subscriptionOn(kit, 'lag-held');
    await catchUpFully(subscription);
    const blocker = await kit.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      await kit.store.appendToStream('lag-b', amountEvents(2, 1n));
      expect(await subscription.lag()).toMatchObject({ eventsBehind: 2, eventsHeldBack: 2 });
      expect(await subscription.processNextBatch()).toMatchObject({ kind: 'caught-up' });
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    await catchUpFully(subscription);
    expect(await subscription.lag()).toMatchObject({ eventsBehind: 0, eventsHeldBack: 0 });
  });
});

describe('restore guard', () => {
  let kit: LedgerTestKit;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_restore_guard');
    await kit.store.appendToStream('before-restore', amountEvents(2, 1n));
    // What a logical restore into a younger cluster looks like: stored ids above the next one.
    await kit.pool.query(
      `INSERT INTO ${LEDGER_SCHEMA}.events
         (transaction_id, event_id, stream_id, stream_version, event_type, data, hash)
       VALUES ('900000000000'::xid8, 'restored-1', 'restored', 1, 'Restored', '{}', sha256('x'))`,
    );
  });
  afterAll(async () => {
    await kit.close();
  });

  const behind = { code: 'LEDGER.TRANSACTION_IDS_BEHIND' };

  it('refuses preflight and batches with a stable code and an explanation', async () => {
    const subscription = subscriptionOn(kit, 'guarded');
    await expect(subscription.preflight()).rejects.toMatchObject(behind);
    await expect(subscription.preflight()).rejects.toThrow(/restored logically/);
    await expect(subscription.processNextBatch()).rejects.toMatchObject(behind);
    await expect(subscription.catchUp()).rejects.toMatchObject(behind);
  });

  it('stops the loop as failed at once instead of retrying', async () => {
    const subscription = subscriptionOn(kit, 'guarded-loop');
    subscription.start();
    try {
      await waitFor(() => subscription.status().state === 'failed' || undefined);
      expect(subscription.status()).toMatchObject({
        consecutiveFailures: 1,
        lastError: behind,
        eventsProcessed: 0,
      });
    } finally {
      await subscription.stop();
    }
  });

  it('refuses to start the Kafka relay', async () => {
    const relay = new KafkaRelay({
      store: kit.store,
      schema: LEDGER_SCHEMA,
      kafka: testKafka('restore-guard'),
      source: '/plafond/test',
      route: () => null,
      logger: quietLogger,
    });
    await expect(relay.start()).rejects.toMatchObject(behind);
    expect(relay.status().state).toBe('created');
    await relay.stop();
  });
});

describe('snapshot head', () => {
  let kit: LedgerTestKit;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_snapshot_head');
  });
  afterAll(async () => {
    await kit.close();
  });

  /** An event at a chosen (old, finished) transaction id: how a history crossing 999 → 1000 looks. */
  async function eventAt(transactionId: number, stream: string): Promise<bigint> {
    const rows = await kit.pool.query<{ position: string }>(
      `INSERT INTO ${LEDGER_SCHEMA}.events
         (transaction_id, event_id, stream_id, stream_version, event_type, data, hash)
       VALUES ($1::text::xid8, $2::text, $2::text, 1, 'Old', '{}', sha256(convert_to($2::text, 'UTF8')))
       RETURNING global_position::text AS position`,
      [String(transactionId), stream],
    );
    return BigInt(rows.rows[0]?.position ?? '-1');
  }

  it('is the last event in commit order when the ids differ in digits (9 then 10, 11)', async () => {
    // Ids 9..11 are below every running transaction of any cluster: settled, readAll delivers them.
    // As text "9" sorts after "11": the e2e's head (txid 996, position 1) among txids 1000+.
    const first = await eventAt(9, 'head-9');
    await eventAt(10, 'head-10');
    const last = await eventAt(11, 'head-11');
    const seen = await kit.store.transaction((tx) => readSnapshotHead(tx.sql, LEDGER_SCHEMA));
    expect(seen).toEqual({
      head: { transactionId: 11n, globalPosition: last },
      events: 3,
      unsettled: 0,
    });
    expect(first).toBeLessThan(last);
    // The head is where readAll (the rebuild's source) ends, so a rebuild up to it applies all 3.
    const read = await kit.store.readAll({ maxCount: 10 });
    expect(read.events.map((event) => event.transactionId)).toEqual([9n, 10n, 11n]);
    expect(read.checkpoint).toEqual(seen.head);
  });

  it('counts as unsettled what a later transaction committed while an older one is open', async () => {
    const blocker = await kit.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      // Committed first, but its id is above the open transaction's: that one could still commit
      // events sorting before it, so this head must not bound a rebuild yet.
      await kit.store.appendToStream('head-later', amountEvents(2, 1n));
      const held = await kit.store.transaction((tx) => readSnapshotHead(tx.sql, LEDGER_SCHEMA));
      expect(held.events).toBe(5);
      expect(held.unsettled).toBeGreaterThanOrEqual(2);
      expect(held.head.transactionId).toBeGreaterThan(11n);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    // Other suites share the cluster: wait for their transactions too, then the head is settled.
    const settled = await waitFor(async () => {
      const seen = await kit.store.transaction((tx) => readSnapshotHead(tx.sql, LEDGER_SCHEMA));
      return seen.unsettled === 0 ? seen : undefined;
    });
    const read = await kit.store.readAll({ maxCount: 10 });
    expect(read.events).toHaveLength(5);
    expect(read.checkpoint).toEqual(settled.head);
  });
});
