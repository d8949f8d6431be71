import {
  createLedgerTestKit,
  LEDGER_SCHEMA,
  type LedgerTestKit,
} from '../subscriptions/testing/ledger-test-kit';
import type { TransactionalEventStore } from '../types';
import { Inbox } from './inbox';

jest.setTimeout(120_000);

describe('inbox on PostgreSQL', () => {
  let kit: LedgerTestKit;
  let inbox: Inbox;

  beforeAll(async () => {
    kit = await createLedgerTestKit('ledger_inbox');
    inbox = new Inbox({ store: kit.store, schema: LEDGER_SCHEMA });
    await kit.pool.query(`CREATE TABLE public.effects (message_id text NOT NULL)`);
  });
  afterAll(async () => {
    await kit.close();
  });

  async function effectsOf(messageId: string): Promise<number> {
    const { rows } = await kit.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM public.effects WHERE message_id = $1`,
      [messageId],
    );
    return rows[0]!.n;
  }

  const recordEffect = (messageId: string) => async (tx: TransactionalEventStore) => {
    await tx.sql.query(`INSERT INTO public.effects (message_id) VALUES ($1)`, [messageId]);
    return messageId.length;
  };

  it('applies the effect on the first delivery and ignores redeliveries', async () => {
    expect(await inbox.consumeOnce('billing', 'm-1', recordEffect('m-1'))).toEqual({
      applied: true,
      result: 3,
    });
    expect(await inbox.consumeOnce('billing', 'm-1', recordEffect('m-1'))).toEqual({
      applied: false,
    });
    expect(await effectsOf('m-1')).toBe(1);
    expect(await inbox.wasConsumed('billing', 'm-1')).toBe(true);
  });

  it('keeps consumers apart: the same message id is new to another consumer', async () => {
    await inbox.consumeOnce('billing', 'm-2', recordEffect('m-2'));
    expect(await inbox.consumeOnce('allocation', 'm-2', recordEffect('m-2'))).toMatchObject({
      applied: true,
    });
    expect(await effectsOf('m-2')).toBe(2);
  });

  it('forgets a delivery whose effect failed, so the redelivery applies it', async () => {
    await expect(
      inbox.consumeOnce('billing', 'm-3', async (tx) => {
        await recordEffect('m-3')(tx);
        throw new Error('effect failed after writing');
      }),
    ).rejects.toThrow('effect failed after writing');
    expect(await effectsOf('m-3')).toBe(0);
    expect(await inbox.wasConsumed('billing', 'm-3')).toBe(false);
    expect(await inbox.consumeOnce('billing', 'm-3', recordEffect('m-3'))).toMatchObject({
      applied: true,
    });
    expect(await effectsOf('m-3')).toBe(1);
  });

  it('applies concurrent deliveries of one message exactly once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => inbox.consumeOnce('billing', 'm-4', recordEffect('m-4'))),
    );
    expect(outcomes.filter((outcome) => outcome.applied)).toHaveLength(1);
    expect(await effectsOf('m-4')).toBe(1);
  });

  it('applies several messages in one transaction: new ones once, in order, all or nothing', async () => {
    await inbox.consumeOnce('billing', 'b-1', recordEffect('b-1'));
    const entry = (messageId: string) => ({ messageId, effect: recordEffect(messageId) });
    // b-1 was consumed before; b-2 is repeated within the call: its first occurrence applies.
    expect(
      await inbox.consumeEachOnce('billing', [
        entry('b-1'),
        entry('b-2'),
        entry('b-3'),
        entry('b-2'),
      ]),
    ).toEqual([
      { applied: false },
      { applied: true, result: 3 },
      { applied: true, result: 3 },
      { applied: false },
    ]);
    expect([await effectsOf('b-1'), await effectsOf('b-2'), await effectsOf('b-3')]).toEqual([
      1, 1, 1,
    ]);

    // One failing effect rolls back the whole call: the others' effects and inbox rows too.
    await expect(
      inbox.consumeEachOnce('billing', [
        entry('b-4'),
        {
          messageId: 'b-5',
          effect: () => Promise.reject(new Error('b-5 failed')),
        },
      ]),
    ).rejects.toThrow('b-5 failed');
    expect(await effectsOf('b-4')).toBe(0);
    expect(await inbox.wasConsumed('billing', 'b-4')).toBe(false);
    expect(await inbox.wasConsumed('billing', 'b-5')).toBe(false);
    expect(await inbox.consumeEachOnce('billing', [])).toEqual([]);
  });

  it('rejects empty or oversized keys with a stable code', async () => {
    await expect(inbox.consumeOnce('', 'm-5', recordEffect('m-5'))).rejects.toMatchObject({
      code: 'LEDGER.INBOX_INVALID_KEY',
    });
    await expect(
      inbox.consumeOnce('billing', 'x'.repeat(501), recordEffect('m-5')),
    ).rejects.toMatchObject({
      code: 'LEDGER.INBOX_INVALID_KEY',
    });
  });
});
