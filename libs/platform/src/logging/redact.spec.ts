import fc from 'fast-check';
import { isSecretKey, redact, REDACTED, scrubSecrets } from './redact';

describe('isSecretKey', () => {
  it.each([
    'password',
    'PASSWORD',
    'dbPassword',
    'token',
    'accessToken',
    'refresh_token',
    'apiKey',
    'api_key',
    'x-api-key',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'clientSecret',
    'secret',
    'privateKey',
    'credentials',
    'databaseUrl',
    'DATABASE_URL',
  ])('hides %s', (key) => expect(isSecretKey(key)).toBe(true));

  it.each([
    'input_tokens',
    'gen_ai.usage.output_tokens',
    'tokenCount',
    'unitId',
    'keyId',
    'secretName',
    'url',
  ])('keeps %s', (key) => expect(isSecretKey(key)).toBe(false));
});

describe('scrubSecrets', () => {
  it('hides URL passwords and bearer or basic credentials', () => {
    expect(scrubSecrets('postgres://u:p%40ss@host/db and amqp://a:b@c')).toBe(
      `postgres://u:${REDACTED}@host/db and amqp://a:${REDACTED}@c`,
    );
    expect(scrubSecrets('Authorization: Bearer eyJ.abc.def')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(scrubSecrets('Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
    expect(scrubSecrets('http://host:8080/path')).toBe('http://host:8080/path');
  });

  it('never lets a password through, whatever it is', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.~!$&'()*+,;=%-]{6,30}$/), (password) => {
        const scrubbed = scrubSecrets(`postgres://user:${password}@db.internal:5432/plafond`);
        expect(scrubbed).toBe(`postgres://user:${REDACTED}@db.internal:5432/plafond`);
      }),
    );
  });
});

describe('redact', () => {
  it('bounds depth and array length', () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 20; level += 1) deep = { next: deep };
    expect(JSON.stringify(redact(deep))).toContain('[truncated]');
    const long = redact(Array.from({ length: 150 }, (_, index) => index)) as unknown[];
    expect(long).toHaveLength(101);
    expect(long[100]).toBe('[50 more]');
  });

  it('keeps repeated (not cyclic) references', () => {
    const shared = { id: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { id: 1 }, b: { id: 1 } });
  });
});

describe('scrubSecrets in free text', () => {
  it.each([
    ['login failed: password=hunter2 for admin', 'login failed: password=[redacted] for admin'],
    ['apiKey: "pk_live_1"', 'apiKey: [redacted]'],
    ['GET /keys?api_key=abc&unit=u-1', 'GET /keys?api_key=[redacted]&unit=u-1'],
    ['input_tokens: 1200, tokens: 5', 'input_tokens: 1200, tokens: 5'],
  ])('%j', (text, expected) => expect(scrubSecrets(text)).toBe(expected));
});
