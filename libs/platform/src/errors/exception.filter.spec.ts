import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { runWithCorrelationId } from '../logging/correlation';
import { JsonLogger } from '../logging/json-logger';
import { PlafondExceptionFilter, mapException } from './exception.filter';
import { PlafondError } from './plafond-error';

describe('mapException', () => {
  it('keeps a domain error’s code, message, details and status', () => {
    const error = new PlafondError(
      'QUOTA.EXCEEDED',
      'Unit u-1 has 0 µWh left.',
      { unitId: 'u-1' },
      409,
    );
    expect(mapException(error)).toEqual({
      status: 409,
      body: {
        code: 'QUOTA.EXCEEDED',
        message: 'Unit u-1 has 0 µWh left.',
        details: { unitId: 'u-1' },
      },
    });
  });

  it.each([
    [new NotFoundException('Cannot GET /nope'), 404, 'REQUEST.NOT_FOUND', 'Cannot GET /nope'],
    [
      new BadRequestException('Validation failed (uuid is expected)'),
      400,
      'REQUEST.INVALID',
      'Validation failed (uuid is expected)',
    ],
    [new UnauthorizedException(), 401, 'AUTH.UNAUTHENTICATED', 'Unauthorized'],
    [new HttpException('Too many', 429), 429, 'REQUEST.REJECTED', 'Too many'],
    [new ServiceUnavailableException('draining'), 503, 'SERVICE.UNAVAILABLE', 'draining'],
  ])('maps Nest’s %p to a code', (exception, status, code, message) => {
    expect(mapException(exception)).toEqual({ status, body: { code, message, details: {} } });
  });

  it('hides what went wrong inside, but gives the correlation id to quote', () => {
    const mapped = runWithCorrelationId('req-9', () =>
      mapException(new TypeError("Cannot read properties of undefined (reading 'password')")),
    );
    expect(mapped).toEqual({
      status: 500,
      body: {
        code: 'INTERNAL',
        message: 'Internal error. Quote the correlation id when reporting it.',
        details: { correlationId: 'req-9' },
      },
    });
    expect(
      mapException(new InternalServerErrorException('db password wrong')).body.message,
    ).not.toContain('password');
    expect(mapException('a thrown string').status).toBe(500);
  });

  it.each([
    ['a full pool', new Error('timeout exceeded when trying to connect')],
    ['a slow new connection', new Error('Connection terminated due to connection timeout')],
    [
      'a wrapped pool timeout',
      new Error('unit of work failed', {
        cause: new Error('timeout exceeded when trying to connect'),
      }),
    ],
  ])('answers 503 SERVICE.BUSY with Retry-After for %s, never 500', (_what, error) => {
    const mapped = runWithCorrelationId('req-7', () => mapException(error));
    expect(mapped).toEqual({
      status: 503,
      body: {
        code: 'SERVICE.BUSY',
        message: expect.stringContaining('Retry the same request') as unknown,
        details: { correlationId: 'req-7' },
      },
      headers: { 'Retry-After': '1' },
    });
  });

  it('does not take other connection failures for a busy pool', () => {
    // A dropped connection is the database being away (database-unavailable.spec.ts), not busy.
    expect(mapException(new Error('Connection terminated unexpectedly')).body.code).toBe(
      'SERVICE.UNAVAILABLE',
    );
    expect(mapException(new Error('timeout exceeded when trying to connect!')).status).toBe(500);
  });
});

describe('PlafondExceptionFilter', () => {
  function setUp(type = 'http', headersSent = false) {
    const replies: { body: unknown; status: number }[] = [];
    const headers: Record<string, string> = {};
    const lines: string[] = [];
    const adapterHost = {
      httpAdapter: {
        reply: (_res: unknown, body: unknown, status: number) => replies.push({ body, status }),
        setHeader: (_res: unknown, name: string, value: string) => (headers[name] = value),
      },
    } as unknown as HttpAdapterHost;
    const logger = new JsonLogger({
      service: 'billing',
      level: 'debug',
      write: (line) => lines.push(line),
    });
    const host = {
      getType: () => type,
      switchToHttp: () => ({ getResponse: () => ({ headersSent }) }),
    } as unknown as ArgumentsHost;
    return {
      filter: new PlafondExceptionFilter(adapterHost, logger),
      host,
      replies,
      headers,
      lines,
    };
  }

  it('answers { code, message, details } and logs server errors with their stack', () => {
    const { filter, host, replies, lines } = setUp();
    runWithCorrelationId('req-1', () => filter.catch(new Error('pool exhausted'), host));
    expect(replies).toEqual([
      {
        status: 500,
        body: expect.objectContaining({ code: 'INTERNAL', details: { correlationId: 'req-1' } }),
      },
    ]);
    const logged = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(logged).toMatchObject({
      level: 'error',
      msg: 'request failed',
      correlationId: 'req-1',
      err: { message: 'pool exhausted', stack: expect.stringContaining('pool exhausted') },
    });
  });

  it('answers a pool timeout 503 with Retry-After and logs it as a warning', () => {
    const { filter, host, replies, headers, lines } = setUp();
    filter.catch(new Error('timeout exceeded when trying to connect'), host);
    expect(replies).toEqual([
      { status: 503, body: expect.objectContaining({ code: 'SERVICE.BUSY' }) as unknown },
    ]);
    expect(headers).toEqual({ 'Retry-After': '1' });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'warn', code: 'SERVICE.BUSY' });
  });

  it('logs client errors quietly', () => {
    const { filter, host, replies, lines } = setUp();
    filter.catch(new PlafondError('REQUEST.INVALID', 'bad'), host);
    expect(replies[0]?.status).toBe(400);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'debug', code: 'REQUEST.INVALID' });
  });

  it('does not answer twice when the response has started', () => {
    const { filter, host, replies } = setUp('http', true);
    filter.catch(new Error('mid-stream'), host);
    expect(replies).toEqual([]);
  });

  it('leaves other transports to their own handling', () => {
    const { filter, host } = setUp('rpc');
    const error = new Error('kafka handler failed');
    expect(() => filter.catch(error, host)).toThrow(error);
  });
});
