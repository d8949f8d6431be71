import { waitFor } from '@plafond/testing';
import type { RecordedEvent } from '../types';
import { CheckpointRepository } from './checkpoint.repository';
import { createExternalSubscription } from './external-subscription';
import { createProjectionSubscription, projectionMigrationStatements } from './projection';
import type { Subscription } from './subscription';
import {
  amountEvents,
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from './testing/ledger-test-kit';
import { gate, quietLogger } from './testing/async-helpers';
import { totalsProjection } from './testing/totals-projection';

jest.setTimeout(120_000);

describe('subscriptions on PostgreSQL', () => {
  let kit: LedgerTestKit;
  const running: Subscription[] = [];

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_subscriptions');
  });
  afterEach(async () => {
    for (const subscription of running.splice(0)) await subscription.stop();
  });
  afterAll(async () => {
    await kit.close();
  });

  async function checkpointOf(name: string) {
    return kit.store.transaction((tx) =>
      new CheckpointRepository(LEDGER_SCHEMA).load(tx.sql, name),
    );
  }

  /** Other suites share the cluster, so a commit may take a moment to fall below every snapshot's xmin. */
  async function visibleEvents(streamPrefix: string, count: number): Promise<RecordedEvent[]> {
    return waitFor(
      async () => {
        const { events } = await kit.store.readAll({ maxCount: 10_000 });
        const matching = events.filter((event) => event.streamId.startsWith(streamPrefix));
        return matching.length === count ? matching : undefined;
      },
      { timeoutMs: 30_000, description: `${count} ${streamPrefix}* events to be readable` },
    );
  }

  const idsOf = (events: readonly RecordedEvent[], streamPrefix: string) =>
    events.filter((event) => event.streamId.startsWith(streamPrefix)).map((event) => event.eventId);

  function recorder(
    name: string,
    options: { batchSize?: number; delay?: () => Promise<void> } = {},
  ) {
    const seen: RecordedEvent[] = [];
    const subscription = createExternalSubscription({
      name,
      store: kit.store,
      schema: LEDGER_SCHEMA,
      batchSize: options.batchSize ?? 10,
      idlePollMs: 5,
      logger: quietLogger,
      handle: async (events) => {
        await options.delay?.();
        seen.push(...events);
      },
    });
    return { subscription, seen };
  }

  it('commits a projection batch and its checkpoint together: a crash mid-batch leaves nothing of it', async () => {
    const readModel = 'rm_exactly_once';
    let failOn: string | undefined;
    const projection = totalsProjection({ failOnEventId: () => failOn });
    for (const statement of projectionMigrationStatements(projection, readModel))
      await kit.pool.query(statement);
    for (const stream of ['eo-a', 'eo-b', 'eo-c'])
      await kit.store.appendToStream(stream, amountEvents(10, 9_007_199_254_740_990n));
    const all = await visibleEvents('eo-', 30);
    failOn = all[16]?.eventId;
    const subscription = createProjectionSubscription({
      store: kit.store,
      schema: LEDGER_SCHEMA,
      projection,
      readModelSchema: readModel,
      name: 'eo-projection',
      batchSize: 10,
      logger: quietLogger,
    });

    await expect(subscription.catchUp()).rejects.toThrow('injected failure');
    const afterCrash = await kit.pool.query(
      `SELECT count(*)::int AS n FROM ${readModel}.applied_events`,
    );
    expect(afterCrash.rows[0].n).toBe(10);
    expect(await checkpointOf('eo-projection')).toEqual({
      transactionId: all[9]!.transactionId,
      globalPosition: all[9]!.globalPosition,
    });

    failOn = undefined;
    expect((await subscription.catchUp()).eventCount).toBe(20);
    expect((await subscription.catchUp()).eventCount).toBe(0);
    const totals = await kit.pool.query(
      `SELECT stream_id, event_count::int AS n, amount_total::text AS total FROM ${readModel}.stream_totals ORDER BY stream_id`,
    );
    // 10 × 9007199254740990 + (0 + … + 9) = 90071992547409945, beyond 2^53 and exact.
    expect(totals.rows).toEqual(
      ['eo-a', 'eo-b', 'eo-c'].map((stream_id) => ({
        stream_id,
        n: 10,
        total: '90071992547409945',
      })),
    );
  });

  it('resumes after its checkpoint when restarted', async () => {
    await kit.store.appendToStream('resume-a', amountEvents(25, 1n));
    await visibleEvents('resume-', 25);
    const first = recorder('resume');
    const outcome = await first.subscription.processNextBatch();
    expect(outcome).toMatchObject({ kind: 'processed', eventCount: 10 });

    const expected = idsOf(await visibleEvents('resume-', 25), 'resume-');
    const restarted = recorder('resume');
    await restarted.subscription.catchUp();
    const all = [...first.seen, ...restarted.seen];
    expect(new Set(all.map((event) => event.eventId)).size).toBe(all.length);
    expect(idsOf(all, 'resume-')).toEqual(expected);
  });

  it('lets one instance of a subscription run a batch at a time', async () => {
    await kit.store.appendToStream('exclusive-a', amountEvents(5, 1n));
    const held = gate();
    const blocker = createExternalSubscription({
      name: 'exclusive',
      store: kit.store,
      schema: LEDGER_SCHEMA,
      logger: quietLogger,
      handle: () => held.wait,
    });
    const other = recorder('exclusive');
    const inFlight = blocker.processNextBatch();
    await waitFor(async () => {
      const { rows } = await kit.pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`,
      );
      return rows[0].n > 0;
    });
    expect(await other.subscription.processNextBatch()).toEqual({ kind: 'locked' });
    held.open();
    expect(await inFlight).toMatchObject({ kind: 'processed' });
    expect(other.seen).toHaveLength(0);
  });

  it('never hands the same event to two running instances', async () => {
    for (let stream = 0; stream < 6; stream++) {
      await kit.store.appendToStream(`race-${stream}`, amountEvents(50, 1n));
    }
    const expected = idsOf(await visibleEvents('race-', 300), 'race-');
    const delay = () => new Promise<void>((resolve) => setImmediate(resolve));
    const instances = [
      recorder('race', { batchSize: 7, delay }),
      recorder('race', { batchSize: 7, delay }),
    ];
    for (const instance of instances) {
      running.push(instance.subscription);
      instance.subscription.start();
    }
    const delivered = () =>
      instances.flatMap((instance) => instance.seen.map((event) => event.eventId));
    await waitFor(() => expected.every((id) => delivered().includes(id)), {
      timeoutMs: 60_000,
      description: 'both instances together to deliver every event',
    });
    for (const instance of instances) await instance.subscription.stop();
    expect(new Set(delivered()).size).toBe(delivered().length);
    expect(instances.flatMap((instance) => idsOf(instance.seen, 'race-')).sort()).toEqual(
      [...expected].sort(),
    );
  });

  it('does not skip an event whose transaction commits after a later one', async () => {
    const { subscription, seen } = recorder('late-commit');
    await subscription.catchUp();
    const slowAppended = gate();
    const release = gate();
    const slow = kit.store.transaction(async (tx) => {
      await tx.appendToStream('late-slow', amountEvents(1, 1n));
      slowAppended.open();
      await release.wait;
    });
    await slowAppended.wait;
    await kit.store.appendToStream('late-fast', amountEvents(1, 2n));
    await subscription.catchUp();
    expect(idsOf(seen, 'late-')).toEqual([]);
    release.open();
    await slow;
    await waitFor(async () => {
      await subscription.catchUp();
      return idsOf(seen, 'late-').length >= 2;
    });
    expect(
      seen.filter((event) => event.streamId.startsWith('late-')).map((event) => event.streamId),
    ).toEqual(['late-slow', 'late-fast']);
  });
});
