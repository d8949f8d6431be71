import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentCorrelationId, runWithCorrelationId } from './correlation';
import { JsonLogger } from './json-logger';

const fixedNow = () => new Date('2027-03-01T10:00:00.000Z');

function capture(level: ConstructorParameters<typeof JsonLogger>[0]['level'] = 'verbose') {
  const lines: string[] = [];
  const logger = new JsonLogger({
    service: 'allocation',
    level,
    write: (line) => lines.push(line),
    now: fixedNow,
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the fixed fields first', () => {
    const { logger, lines } = capture();
    logger.write('info', 'budget opened', { budgetId: 'b-1', amountMicroWh: 5 }, 'Budgets');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2027-03-01T10:00:00.000Z',
      level: 'info',
      service: 'allocation',
      context: 'Budgets',
      msg: 'budget opened',
      budgetId: 'b-1',
      amountMicroWh: 5,
    });
    expect(Object.keys(JSON.parse(lines[0] ?? '') as object).slice(0, 5)).toEqual([
      'time',
      'level',
      'service',
      'context',
      'msg',
    ]);
  });

  it('drops entries below the configured level', () => {
    const { logger, entries } = capture('warn');
    logger.debug('noise');
    logger.log('info line');
    logger.warn('careful');
    logger.error('broken');
    logger.fatal('gone');
    expect(entries().map((entry) => entry.level)).toEqual(['warn', 'error', 'fatal']);
  });

  it('understands Nest’s calling conventions', () => {
    const { logger, entries } = capture();
    const stack = 'Error: boom\n    at Object.<anonymous> (/app/x.js:1:1)';
    logger.log('Mapped route', 'RouterExplorer');
    logger.log('started', 'NestApplication');
    logger.error('failed', stack, 'ExceptionHandler');
    logger.error('failed without context', stack);
    logger.warn({ msg: 'slow query', durationMs: 1200 }, 'Database');
    logger.error(new Error('kaput'), 'Kafka');
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'debug', context: 'RouterExplorer', msg: 'Mapped route' }),
      expect.objectContaining({ level: 'info', context: 'NestApplication', msg: 'started' }),
      expect.objectContaining({ level: 'error', context: 'ExceptionHandler', stack }),
      expect.objectContaining({ level: 'error', msg: 'failed without context', stack }),
      expect.objectContaining({
        level: 'warn',
        context: 'Database',
        msg: 'slow query',
        durationMs: 1200,
      }),
      expect.objectContaining({
        level: 'error',
        context: 'Kafka',
        msg: 'kaput',
        err: expect.objectContaining({ name: 'Error', message: 'kaput' }),
      }),
    ]);
    expect(entries()[3]).not.toHaveProperty('context');
  });

  it('is what Nest’s Logger writes to once installed', () => {
    const { logger, entries } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('Reservations').log({ msg: 'reserved', reservationId: 'r-1' });
    } finally {
      Logger.overrideLogger(false);
    }
    expect(entries()).toEqual([
      expect.objectContaining({ context: 'Reservations', msg: 'reserved', reservationId: 'r-1' }),
    ]);
  });

  it('keeps extra fields from overwriting the fixed ones', () => {
    const { logger, entries } = capture();
    logger.write('info', 'real message', { level: 'fatal', service: 'other', msg: 'fake' });
    expect(entries()[0]).toMatchObject({
      level: 'info',
      service: 'allocation',
      msg: 'real message',
      fields: { level: 'fatal', service: 'other', msg: 'fake' },
    });
  });

  it('never writes secrets', () => {
    const { logger, lines } = capture();
    logger.write('info', 'connecting to postgres://plafond:hunter2@db:5432/plafond', {
      headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'pk_live_123' },
      apiKey: 'pk_live_456',
      password: 'hunter3',
      nested: [{ clientSecret: 's3cr3t', accessToken: 'tok' }],
      note: 'sent Bearer xyz789 upstream',
      usage: { input_tokens: 1200, output_tokens: 300 },
    });
    const line = lines[0] ?? '';
    for (const secret of [
      'hunter2',
      'abc.def.ghi',
      'pk_live_123',
      'pk_live_456',
      'hunter3',
      's3cr3t',
      '"tok"',
      'xyz789',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(line)).toMatchObject({
      msg: 'connecting to postgres://plafond:[redacted]@db:5432/plafond',
      usage: { input_tokens: 1200, output_tokens: 300 },
    });
  });

  it('survives values JSON cannot hold', () => {
    const { logger, entries } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.write('info', 'odd values', { cyclic, big: 12345678901234567890n, when: fixedNow() });
    expect(entries()[0]).toMatchObject({
      cyclic: { name: 'loop', self: '[circular]' },
      big: '12345678901234567890',
      when: '2027-03-01T10:00:00.000Z',
    });
  });

  it('adds the correlation id of the unit of work, across awaits and timers', async () => {
    const { logger, entries } = capture();
    logger.log('outside');
    await runWithCorrelationId('req-42', async () => {
      logger.log('first');
      await sleep(1);
      await new Promise<void>((done) =>
        setTimeout(() => {
          logger.log('in a timer');
          done();
        }, 1),
      );
      expect(currentCorrelationId()).toBe('req-42');
    });
    await Promise.all([
      runWithCorrelationId('req-a', async () => {
        await sleep(2);
        logger.log('a');
      }),
      runWithCorrelationId('req-b', async () => {
        await sleep(1);
        logger.log('b');
      }),
    ]);
    const byMessage = Object.fromEntries(
      entries().map((entry) => [entry.msg, entry.correlationId]),
    );
    expect(byMessage).toEqual({
      outside: undefined,
      first: 'req-42',
      'in a timer': 'req-42',
      a: 'req-a',
      b: 'req-b',
    });
  });
});
