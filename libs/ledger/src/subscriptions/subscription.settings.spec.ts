import type { RecordedEvent } from '../types';
import { assertBatchInvariants, compareCheckpoints } from './checkpoint';
import { backoffDelayMs, resolveSubscriptionSettings } from './subscription.settings';
import { subscriptionMigrationStatements } from './subscription.schema';
import { WakeSignal } from './wake-signal';

const at = (transactionId: bigint, globalPosition: bigint) =>
  ({
    eventId: `e-${transactionId}-${globalPosition}`,
    transactionId,
    globalPosition,
  }) as RecordedEvent;

describe('subscription settings', () => {
  it('defaults to 500 events per batch and bounded waits', () => {
    expect(resolveSubscriptionSettings()).toEqual({
      batchSize: 500,
      idlePollMs: 500,
      initialBackoffMs: 100,
      maxBackoffMs: 30_000,
      maxConsecutiveFailures: 10_000,
    });
  });

  it.each([
    { batchSize: 0 },
    { batchSize: 10_001 },
    { batchSize: 1.5 },
    { idlePollMs: -1 },
    { maxBackoffMs: 600_001 },
    { initialBackoffMs: 200, maxBackoffMs: 100 },
  ])('rejects %p with CONFIG.INVALID', (tuning) => {
    expect(() => resolveSubscriptionSettings(tuning)).toThrow(
      expect.objectContaining({ code: 'CONFIG.INVALID' }),
    );
  });

  it('doubles the backoff per failure, never beyond the ceiling, never below half of it', () => {
    const settings = { initialBackoffMs: 100, maxBackoffMs: 1_000 };
    expect(
      [1, 2, 3, 4, 5, 50].map((failures) => backoffDelayMs(failures, settings, () => 1)),
    ).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelayMs(3, settings, () => 0)).toBe(200);
  });
});

describe('batch invariants', () => {
  const from = { transactionId: 10n, globalPosition: 5n };

  it('accepts events strictly after the checkpoint, in commit order, ending at the new checkpoint', () => {
    const events = [at(10n, 7n), at(11n, 6n), at(12n, 1n)];
    expect(() =>
      assertBatchInvariants(from, { transactionId: 12n, globalPosition: 1n }, events, 3),
    ).not.toThrow();
  });

  it.each([
    ['an event at the checkpoint', [at(10n, 5n)], { transactionId: 10n, globalPosition: 5n }, 10],
    [
      'events out of commit order',
      [at(12n, 1n), at(11n, 9n)],
      { transactionId: 11n, globalPosition: 9n },
      10,
    ],
    [
      'a checkpoint other than the last event',
      [at(11n, 1n)],
      { transactionId: 11n, globalPosition: 2n },
      10,
    ],
    [
      'more events than the batch size',
      [at(11n, 1n), at(11n, 2n)],
      { transactionId: 11n, globalPosition: 2n },
      1,
    ],
  ])('rejects %s', (_case, events, to, maxCount) => {
    expect(() => assertBatchInvariants(from, to, events, maxCount)).toThrow(
      expect.objectContaining({ code: 'LEDGER.SUBSCRIPTION_INVARIANT' }),
    );
  });

  it('orders checkpoints by transaction id first', () => {
    expect(
      compareCheckpoints(
        { transactionId: 1n, globalPosition: 99n },
        { transactionId: 2n, globalPosition: 1n },
      ),
    ).toBe(-1);
    expect(
      compareCheckpoints(
        { transactionId: 2n, globalPosition: 1n },
        { transactionId: 2n, globalPosition: 1n },
      ),
    ).toBe(0);
  });
});

describe('subscription schema', () => {
  it('creates both tables in the given schema only', () => {
    const statements = subscriptionMigrationStatements('billing_ledger');
    expect(statements.join('\n')).toContain('"billing_ledger"."subscription_checkpoints"');
    expect(statements.join('\n')).toContain('"billing_ledger"."inbox"');
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => subscriptionMigrationStatements('x"; DROP TABLE y; --')).toThrow(
      expect.objectContaining({ code: 'CONFIG.INVALID' }),
    );
  });
});

describe('wake signal', () => {
  it('ends a sleep early, and remembers a wake that came while awake', async () => {
    const signal = new WakeSignal();
    const sleeping = signal.sleep(60_000);
    signal.wake();
    await sleeping;
    signal.wake();
    await signal.sleep(60_000);
  });
});
