import { PlafondError } from '../errors/plafond-error';
import {
  jsonBodyVerifier,
  MAX_JSON_DEPTH,
  translateBodyError,
  verifyJsonBody,
} from './body-errors';

function bodyParserError(type: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new SyntaxError('Unexpected token } in JSON at position 10'), {
    type,
    ...extra,
  });
}

describe('translateBodyError', () => {
  it.each([
    ['entity.parse.failed', {}, 'REQUEST.MALFORMED_JSON', 400],
    ['entity.too.large', { limit: 1024, status: 413 }, 'REQUEST.TOO_LARGE', 413],
    ['charset.unsupported', { status: 415 }, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 415],
    ['request.aborted', { status: 400 }, 'REQUEST.REJECTED', 400],
  ])('turns body-parser’s %s into %s', (type, extra, code, status) => {
    const translated = translateBodyError(bodyParserError(type, extra));
    expect(translated).toBeInstanceOf(PlafondError);
    expect(translated).toMatchObject({ code, httpStatus: status });
    expect((translated as PlafondError).message).not.toContain('position');
  });

  it('passes every other error through untouched', () => {
    const error = new Error('route failed');
    expect(translateBodyError(error)).toBe(error);
  });
});

describe('verifyJsonBody (body-parser verify hook)', () => {
  const verify = (body: Buffer) => () => verifyJsonBody(undefined, undefined, body);
  const refusedAs = (body: Buffer) => {
    try {
      verifyJsonBody(undefined, undefined, body);
    } catch (error) {
      return translateBodyError(error);
    }
    return undefined;
  };
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('lets ordinary bodies through, brackets inside strings not counted', () => {
    expect(verify(Buffer.from(`{"a":[1,{"b":"${'['.repeat(500)}\\"]"}]}`))).not.toThrow();
    expect(verify(Buffer.from(nested(MAX_JSON_DEPTH)))).not.toThrow();
    expect(verify(Buffer.from('{"name":"café ☕"}'))).not.toThrow();
  });

  it('refuses nesting deeper than the limit and invalid UTF-8 as REQUEST.MALFORMED_JSON (400)', () => {
    expect(refusedAs(Buffer.from(nested(MAX_JSON_DEPTH + 1)))).toMatchObject({
      code: 'REQUEST.MALFORMED_JSON',
      httpStatus: 400,
      details: { maxDepth: MAX_JSON_DEPTH },
    });
    const invalid = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(refusedAs(invalid)).toMatchObject({ code: 'REQUEST.MALFORMED_JSON', httpStatus: 400 });
  });
});

describe('jsonBodyVerifier({ refuseExponentNumbers: true })', () => {
  const verify = jsonBodyVerifier({ refuseExponentNumbers: true });
  const refusedAs = (body: string) => {
    try {
      verify(undefined, undefined, Buffer.from(body));
    } catch (error) {
      return translateBodyError(error);
    }
    return undefined;
  };

  it('lets plain numbers through, and exponents inside strings (left to the DTOs)', () => {
    for (const body of [
      '{"amount":1000,"timeoutMs":30000,"ratio":-2.5,"zero":0,"list":[1,-0,3.25]}',
      '{"amount":"1e3","note":"x \\" 1E+3 ]","e":true,"E":false,"n":null}',
      '{"1e3":5}',
      '42',
    ]) {
      expect(refusedAs(body)).toBeUndefined();
    }
  });

  it.each([
    ['{"reservationId":"r1","amount":1e3}', 'amount'],
    ['{"amount":1E+3}', 'amount'],
    ['{"a":{"b":[7, -2.5e-1]}}', 'a.b.1'],
    ['{"x":"1e3","amount" : 1e3 }', 'amount'],
    ['1e3', 'body'],
  ])('refuses %s as REQUEST.INVALID naming %s (QUANTITY.EXPONENT)', (body, field) => {
    expect(refusedAs(body)).toMatchObject({
      code: 'REQUEST.INVALID',
      httpStatus: 400,
      details: { fields: [{ field, errors: [expect.stringContaining('QUANTITY.EXPONENT')] }] },
    });
  });

  it('is off by default: the same body passes the hook every service gets', () => {
    expect(() => verifyJsonBody(undefined, undefined, Buffer.from('{"amount":1e3}'))).not.toThrow();
  });
});
