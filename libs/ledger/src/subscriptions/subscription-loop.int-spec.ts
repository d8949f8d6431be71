import { waitFor } from '@plafond/testing';
import type { RecordedEvent } from '../types';
import { CheckpointRepository } from './checkpoint.repository';
import { createExternalSubscription } from './external-subscription';
import type { Subscription } from './subscription';
import { gate, quietLogger } from './testing/async-helpers';
import {
  amountEvents,
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from './testing/ledger-test-kit';

jest.setTimeout(120_000);

describe('subscription loop: stop, backoff, wake', () => {
  let kit: LedgerTestKit;
  const running: Subscription[] = [];

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_subscription_loop');
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

  const idsOf = (events: readonly RecordedEvent[], streamPrefix: string) =>
    events.filter((event) => event.streamId.startsWith(streamPrefix)).map((event) => event.eventId);

  function recorder(name: string) {
    const seen: RecordedEvent[] = [];
    const subscription = createExternalSubscription({
      name,
      store: kit.store,
      schema: LEDGER_SCHEMA,
      idlePollMs: 5,
      logger: quietLogger,
      handle: (events) => {
        seen.push(...events);
        return Promise.resolve();
      },
    });
    return { subscription, seen };
  }

  it('waits for the in-flight batch when stopped', async () => {
    await kit.store.appendToStream('stop-a', amountEvents(3, 1n));
    const held = gate();
    const entered = gate();
    const subscription = createExternalSubscription({
      name: 'stop-waits',
      store: kit.store,
      schema: LEDGER_SCHEMA,
      logger: quietLogger,
      handle: async () => {
        entered.open();
        await held.wait;
      },
    });
    subscription.start();
    await entered.wait;
    let stopped = false;
    const stopping = subscription.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(subscription.status().state).toBe('stopped');
    expect(await checkpointOf('stop-waits')).toEqual(subscription.status().lastCheckpoint);
  });

  it('retries a failing batch with backoff, then gives up after maxConsecutiveFailures', async () => {
    await kit.store.appendToStream('retry-a', amountEvents(2, 1n));
    let calls = 0;
    const flaky = createExternalSubscription({
      name: 'flaky',
      store: kit.store,
      schema: LEDGER_SCHEMA,
      initialBackoffMs: 1,
      maxBackoffMs: 5,
      logger: quietLogger,
      handle: () => {
        calls += 1;
        return calls <= 2 ? Promise.reject(new Error('broker unavailable')) : Promise.resolve();
      },
    });
    running.push(flaky);
    flaky.start();
    await waitFor(() => flaky.status().eventsProcessed > 0, {
      description: 'flaky batch to succeed',
    });
    expect(calls).toBe(3);
    expect(flaky.status().consecutiveFailures).toBe(0);

    const broken = createExternalSubscription({
      name: 'broken',
      store: kit.store,
      schema: LEDGER_SCHEMA,
      initialBackoffMs: 1,
      maxBackoffMs: 2,
      maxConsecutiveFailures: 3,
      logger: quietLogger,
      handle: () => Promise.reject(new Error('always')),
    });
    running.push(broken);
    broken.start();
    await waitFor(() => broken.status().state === 'failed', {
      description: 'broken subscription to give up',
    });
    expect(broken.status()).toMatchObject({
      consecutiveFailures: 3,
      lastError: { message: 'always' },
    });
    expect(await checkpointOf('broken')).toEqual({ transactionId: 0n, globalPosition: 0n });
  });

  it('skips the idle wait when woken', async () => {
    const { subscription, seen } = recorder('wake');
    const sleepy = createExternalSubscription({
      name: 'wake',
      store: kit.store,
      schema: LEDGER_SCHEMA,
      idlePollMs: 60_000,
      logger: quietLogger,
      handle: (events) => {
        seen.push(...events);
        return Promise.resolve();
      },
    });
    await subscription.catchUp();
    seen.length = 0;
    running.push(sleepy);
    sleepy.start();
    await waitFor(() => sleepy.status().lastCheckpoint !== undefined, {
      description: 'first idle poll',
    });
    await kit.store.appendToStream('wake-a', amountEvents(1, 1n));
    // Woken again on each check: another suite's open transaction may hide the event from the
    // first woken poll; without wake() the next poll would come 60 s later.
    await waitFor(
      () => {
        sleepy.wake();
        return idsOf(seen, 'wake-').length === 1;
      },
      { timeoutMs: 20_000, description: 'woken subscription to deliver' },
    );
  });
});
