import { PlafondError } from '../../errors/plafond-error';
import {
  bytesJson,
  DeadLetters,
  describeDeadLetterError,
  type DeadLetterSql,
  type DeadLetterTransactions,
} from './dead-letters';
import { deadLetterTableDownStatements, deadLetterTableStatements } from './dead-letters.schema';

/** Records the SQL it is given; PostgreSQL itself is in dead-letters.int-spec.ts. */
function recordingStore(rows: unknown[] = [{ dead_letter_id: '1' }]) {
  const calls: { text: string; params: readonly unknown[] }[] = [];
  const sql: DeadLetterSql = {
    query: <Row>(text: string, params: readonly unknown[] = []) => {
      calls.push({ text, params });
      return Promise.resolve(rows as Row[]);
    },
  };
  const store: DeadLetterTransactions = { transaction: (work) => work({ sql }) };
  return { calls, store };
}

/** What PostgreSQL text and jsonb can hold: no U+0000, no unpaired surrogate (UTF-8 round trip). */
function storable(text: string): boolean {
  return !text.includes('\u0000') && Buffer.from(text, 'utf8').toString('utf8') === text;
}

describe('describeDeadLetterError', () => {
  it('keeps a refusal with its code and details (bigints as strings)', () => {
    const error = Object.assign(new Error('too long'), {
      code: 'COMMAND.INVALID',
      details: { field: 'useCase', amount: 12n },
    });
    expect(describeDeadLetterError(error)).toEqual({
      code: 'COMMAND.INVALID',
      message: 'too long',
      details: { field: 'useCase', amount: '12' },
    });
  });

  it('keeps contract issues as details.issues', () => {
    const issues = [{ path: 'data.unitId', code: 'REQUIRED', message: 'missing' }];
    const error = Object.assign(new Error('invalid'), { code: 'CLOUDEVENT.INVALID', issues });
    expect(describeDeadLetterError(error).details).toEqual({ issues });
  });

  it('names an error without a code MESSAGING.UNEXPECTED_ERROR', () => {
    expect(describeDeadLetterError('boom')).toEqual({
      code: 'MESSAGING.UNEXPECTED_ERROR',
      message: 'boom',
      details: null,
    });
  });

  it('bounds the message and the details', () => {
    const error = Object.assign(new Error('x'.repeat(5_000)), {
      code: 'A.B',
      details: { big: 'y'.repeat(200_000) },
    });
    const described = describeDeadLetterError(error);
    expect(described.message).toHaveLength(2_000);
    expect(described.details).toEqual({ truncated: true });
  });

  it('replaces NUL and unpaired surrogates (PostgreSQL refuses them) by U+FFFD', () => {
    const error = Object.assign(new Error('bad \u0000 id \ud800'), {
      code: 'A.\u0000B',
      details: { id: 'a\u0000b', 'k\u0000': 1, path: 'data.x\udc00', nested: ['\u0000'] },
    });
    expect(describeDeadLetterError(error)).toEqual({
      code: 'A.\ufffdB',
      message: 'bad \ufffd id \ufffd',
      details: { id: 'a\ufffdb', 'k\ufffd': 1, path: 'data.x\ufffd', nested: ['\ufffd'] },
    });
  });

  it('keeps paired surrogates (emoji) as they are', () => {
    expect(describeDeadLetterError(new Error('ok 😀')).message).toBe('ok 😀');
  });
});

describe('bytesJson', () => {
  it('shows UTF-8 as text and anything else as base64', () => {
    expect(bytesJson(Buffer.from('héllo'), false)).toBe('héllo');
    expect(bytesJson(Buffer.from([0xff, 0x01]), false)).toEqual({ base64: '/wE=' });
    // A preview cut inside "é" (2 bytes) is still text, minus the broken character.
    expect(bytesJson(Buffer.from('hé').subarray(0, 2), true)).toBe('h');
  });

  it('keeps valid UTF-8 holding a NUL byte as base64 (jsonb cannot hold U+0000)', () => {
    expect(bytesJson(Buffer.from('v\u0000'), false)).toEqual({ base64: 'dgA=' });
    expect(bytesJson(Buffer.from('v\u0000'), true)).toEqual({ base64: 'dgA=' });
  });
});

describe('DeadLetters.record', () => {
  it('writes headers jsonb PostgreSQL accepts, whatever the header names and values hold', async () => {
    const { calls, store } = recordingStore();
    const deadLetters = new DeadLetters(store, 'billing');
    const stored = await deadLetters.record({
      consumer: 'group',
      topic: 'topic',
      partition: 3,
      message: {
        key: Buffer.from('k'),
        value: null,
        offset: '42',
        headers: {
          ce_id: Buffer.from([0x00, 0x01]),
          'x\u0000name': 'v\u0000',
          'y\ud800': ['w', Buffer.from('z')],
          plain: 'text',
          gone: undefined,
        },
      },
      error: new Error('boom'),
    });
    expect(stored).toBe(true);
    const [call] = calls;
    expect(call?.text).toContain('INSERT INTO "billing".dead_letters');
    const headersParam = call?.params[5];
    expect(typeof headersParam).toBe('string');
    // jsonb refuses U+0000 and unpaired surrogates, raw or escaped by JSON.stringify.
    expect(storable(headersParam as string)).toBe(true);
    expect(headersParam).not.toMatch(/\\u(0000|d[89a-f])/i);
    expect(JSON.parse(headersParam as string)).toEqual({
      ce_id: { base64: 'AAE=' },
      'x\ufffdname': { base64: 'dgA=' },
      'y\ufffd': ['w', 'z'],
      plain: 'text',
    });
    expect(call?.params.slice(7, 10)).toEqual(['MESSAGING.UNEXPECTED_ERROR', 'boom', null]);
  });

  it('reports a record already there as false', async () => {
    const { store } = recordingStore([]);
    const input = {
      consumer: 'g',
      topic: 't',
      partition: 0,
      message: { key: null, value: null, offset: '1' },
      error: 'x',
    };
    await expect(new DeadLetters(store, 'billing').record(input)).resolves.toBe(false);
  });

  it('uses the caller’s transaction when given one', async () => {
    const own = recordingStore();
    const caller = recordingStore();
    const input = {
      consumer: 'g',
      topic: 't',
      partition: 0,
      message: { key: Buffer.from('a'), value: Buffer.from('b'), offset: '1' },
      error: 'x',
    };
    await new DeadLetters(own.store, 'billing').record(input, {
      query: (text, params) => caller.store.transaction((tx) => tx.sql.query(text, params)),
    });
    expect(own.calls).toHaveLength(0);
    expect(caller.calls).toHaveLength(1);
  });
});

describe('DeadLetters.list and get', () => {
  it.each([[0], [201], [1.5]])('refuses limit %p as REQUEST.INVALID', async (limit) => {
    const { store } = recordingStore([]);
    const error = await new DeadLetters(store, 'billing').list({ limit }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlafondError);
    expect(error).toMatchObject({ code: 'REQUEST.INVALID', details: { field: 'limit' } });
  });

  it('refuses an after that is not an id', async () => {
    const { store } = recordingStore([]);
    await expect(new DeadLetters(store, 'billing').list({ after: '1; --' })).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
      details: { field: 'after' },
    });
  });

  it('answers null for an id that cannot exist, without a query', async () => {
    const { calls, store } = recordingStore([]);
    await expect(new DeadLetters(store, 'billing').get('0')).resolves.toBeNull();
    await expect(new DeadLetters(store, 'billing').get('abc')).resolves.toBeNull();
    expect(calls).toHaveLength(0);
  });
});

describe('dead letter DDL', () => {
  it('creates and drops "schema".dead_letters', () => {
    const [statement] = deadLetterTableStatements('billing');
    expect(statement).toContain('CREATE TABLE IF NOT EXISTS "billing".dead_letters (');
    expect(statement).toContain('CONSTRAINT dead_letters_record_key UNIQUE');
    expect(deadLetterTableDownStatements('allocation')).toEqual([
      'DROP TABLE IF EXISTS "allocation".dead_letters',
    ]);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => deadLetterTableStatements('bad"schema')).toThrow();
    expect(() => new DeadLetters(recordingStore().store, 'Bad')).toThrow();
  });
});
