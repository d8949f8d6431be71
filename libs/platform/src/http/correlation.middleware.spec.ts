import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentCorrelationId } from '../logging/correlation';
import { JsonLogger } from '../logging/json-logger';
import { correlationMiddleware } from './correlation.middleware';

function fakeExchange(url: string, headers: Record<string, string>) {
  const request = { url, method: 'POST', headers } as unknown as IncomingMessage;
  const responseHeaders = new Map<string, unknown>();
  const response = Object.assign(new EventEmitter(), {
    statusCode: 200,
    setHeader: (name: string, value: unknown) => responseHeaders.set(name.toLowerCase(), value),
  }) as unknown as ServerResponse;
  return { request, response, responseHeaders };
}

function run(url: string, headers: Record<string, string>) {
  const lines: string[] = [];
  const logger = new JsonLogger({
    service: 'ingestion',
    level: 'debug',
    write: (line) => lines.push(line),
  });
  const { request, response, responseHeaders } = fakeExchange(url, headers);
  const seen: (string | undefined)[] = [];
  const finished = new Promise<void>((done) => {
    correlationMiddleware(logger)(request, response, () => {
      seen.push(currentCorrelationId());
      void (async () => {
        await sleep(1);
        seen.push(currentCorrelationId());
        response.statusCode = 202;
        response.emit('finish');
        done();
      })();
    });
  });
  return { finished, seen, responseHeaders, lines };
}

describe('correlationMiddleware', () => {
  it('keeps a well-formed x-correlation-id for the whole request and echoes it', async () => {
    const exchange = run('/v1/usage?dry=1', { 'x-correlation-id': 'gateway-7f3a:1' });
    await exchange.finished;
    expect(exchange.seen).toEqual(['gateway-7f3a:1', 'gateway-7f3a:1']);
    expect(exchange.responseHeaders.get('x-correlation-id')).toBe('gateway-7f3a:1');
  });

  it.each([
    ['missing', {}],
    ['malformed', { 'x-correlation-id': 'two words\n{"level":"fatal"}' }],
    ['too long', { 'x-correlation-id': 'x'.repeat(129) }],
  ])('generates one when the header is %s', async (_case, headers) => {
    const exchange = run('/v1/usage', headers);
    await exchange.finished;
    const id = exchange.responseHeaders.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(exchange.seen).toEqual([id, id]);
  });

  it('writes one access line per request, with the correlation id and without the query', async () => {
    const exchange = run('/v1/usage?apiKey=leak', { 'x-correlation-id': 'c-1' });
    await exchange.finished;
    expect(exchange.lines).toHaveLength(1);
    expect(exchange.lines[0]).not.toContain('leak');
    expect(JSON.parse(exchange.lines[0] ?? '')).toMatchObject({
      level: 'info',
      context: 'Http',
      msg: 'request completed',
      correlationId: 'c-1',
      method: 'POST',
      path: '/v1/usage',
      status: 202,
      durationMs: expect.any(Number),
    });
  });

  it('logs successful probes at debug so they do not flood info', async () => {
    const exchange = run('/health/ready', {});
    await exchange.finished;
    expect(JSON.parse(exchange.lines[0] ?? '')).toMatchObject({
      level: 'debug',
      path: '/health/ready',
    });
  });
});
