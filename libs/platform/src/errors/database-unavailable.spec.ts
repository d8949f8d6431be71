import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';
import { mapException } from './exception.filter';

/** An error as pg or Node's net module raises it: a message and a string `code`. */
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a refused connection (server down)',
      coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    ],
    ['a reset socket', coded('read ECONNRESET', 'ECONNRESET')],
    [
      'a fast shutdown terminating the session',
      coded('terminating connection due to administrator command', '57P01'),
    ],
    [
      'a crashed sibling backend',
      coded('terminating connection because of crash of another server process', '57P02'),
    ],
    [
      'a server starting up or shutting down',
      coded('the database system is shutting down', '57P03'),
    ],
    ['a connection exception (class 08)', coded('connection failure', '08006')],
    ['the socket closing under a client', new Error('Connection terminated unexpectedly')],
    [
      'a client left broken by a connection error',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('looks through TypeORM’s QueryFailedError and through causes', () => {
    const driver = coded('terminating connection due to administrator command', '57P01');
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], driver))).toBe(true);
    expect(isDatabaseUnavailable(new Error('append failed', { cause: driver }))).toBe(true);
  });

  it.each([
    ['a unique violation', coded('duplicate key value violates unique constraint', '23505')],
    ['a serialization failure', coded('could not serialize access', '40001')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a non-error', 'ECONNREFUSED'],
    ['the pool timing out (busy, not down)', new Error('timeout exceeded when trying to connect')],
  ])('leaves %s alone', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('mapException of a database outage', () => {
  it('answers 503 SERVICE.UNAVAILABLE with Retry-After, not 500', () => {
    const mapped = mapException(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));
    expect(mapped.status).toBe(503);
    expect(mapped.body.code).toBe('SERVICE.UNAVAILABLE');
    expect(mapped.headers).toEqual({ 'Retry-After': '1' });
  });

  it('still answers SERVICE.BUSY when the pool timed out', () => {
    expect(mapException(new Error('timeout exceeded when trying to connect')).body.code).toBe(
      'SERVICE.BUSY',
    );
  });
});
