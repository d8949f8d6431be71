// The dead letter store on real PostgreSQL: what text and jsonb refuse (U+0000, unpaired
// surrogates) in a record or its error never makes the write fail (that would jam the partition).
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import { DeadLetters, type DeadLetterTransactions } from './dead-letters';
import { deadLetterTableStatements } from './dead-letters.schema';

jest.setTimeout(30_000);

const SCHEMA = 'billing';

/** Transactions on a pg pool, as the ledger's EventStore runs them. */
function poolTransactions(pool: Pool): DeadLetterTransactions {
  return {
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          sql: {
            query: async <Row>(text: string, params: readonly unknown[] = []) =>
              (await client.query(text, [...params])).rows as Row[],
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

describe('DeadLetters on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let deadLetters: DeadLetters;

  beforeAll(async () => {
    database = await createTestDatabase('platform_dead_letters');
    pool = new Pool({ connectionString: database.url, max: 2 });
    await pool.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const statement of deadLetterTableStatements(SCHEMA)) await pool.query(statement);
    deadLetters = new DeadLetters(poolTransactions(pool), SCHEMA);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('stores a dead letter whose key, value, headers and error hold NUL or unpaired surrogates', async () => {
    const input = {
      consumer: 'billing-review',
      topic: 'plafond.usage.recorded.v1',
      partition: 0,
      message: {
        key: Buffer.from('team\u0000a'),
        value: Buffer.from([0x7b, 0x00, 0x7d]),
        headers: {
          ce_id: Buffer.from([0x00, 0x01]),
          'x\u0000name': 'v\u0000',
          'y\ud800': 'w\udc00',
        },
        offset: '42',
      },
      error: Object.assign(new Error('bad \u0000 id'), {
        code: 'BILLING.INVALID_MESSAGE',
        details: { id: 'a\u0000b', 'k\u0000': 1, path: 'data.x\ud800' },
      }),
    };
    expect(await deadLetters.record(input)).toBe(true);
    // Redelivered: the same (consumer, topic, partition, offset) adds nothing.
    expect(await deadLetters.record(input)).toBe(false);

    const page = await deadLetters.list();
    expect(page.nextAfter).toBeNull();
    const [letter] = page.items;
    expect(letter).toMatchObject({
      consumer: 'billing-review',
      offset: '42',
      key: { base64: Buffer.from('team\u0000a').toString('base64') },
      value: { base64: Buffer.from([0x7b, 0x00, 0x7d]).toString('base64') },
      valueBytes: 3,
      valueTruncated: false,
      error: {
        code: 'BILLING.INVALID_MESSAGE',
        message: 'bad \ufffd id',
        details: { id: 'a\ufffdb', 'k\ufffd': 1, path: 'data.x\ufffd' },
      },
    });
    expect(letter?.headers).toEqual({
      ce_id: { base64: Buffer.from([0x00, 0x01]).toString('base64') },
      'x\ufffdname': { base64: Buffer.from('v\u0000').toString('base64') },
      // 'w\udc00' as UTF-8 is 'w' + U+FFFD (Buffer.from replaces the lone surrogate).
      'y\ufffd': 'w\ufffd',
    });
    expect(await deadLetters.get(letter?.id ?? '')).toEqual(letter);
    expect(await deadLetters.count()).toBe(1);
  });

  it('pages oldest first and previews values to 4 KiB', async () => {
    for (const offset of ['100', '101']) {
      await deadLetters.record({
        consumer: 'paging',
        topic: 't',
        partition: 1,
        message: { key: null, value: Buffer.from('é'.repeat(3_000)), offset },
        error: 'boom',
      });
    }
    const first = await deadLetters.list({ limit: 2 });
    expect(first.items.map((item) => item.offset)).toEqual(['42', '100']);
    expect(first.nextAfter).toBe(first.items[1]?.id);
    const second = await deadLetters.list({ limit: 2, after: first.nextAfter ?? undefined });
    expect(second.items.map((item) => item.offset)).toEqual(['101']);
    expect(second.nextAfter).toBeNull();
    const [preview] = second.items;
    expect(preview).toMatchObject({ valueBytes: 6_000, valueTruncated: true });
    expect(preview?.value).toBe('é'.repeat(2_048));
    const whole = await deadLetters.get(preview?.id ?? '');
    expect(whole?.value).toBe('é'.repeat(3_000));
  });
});
