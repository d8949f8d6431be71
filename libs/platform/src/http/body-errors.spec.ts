import { PlafondError } from '../errors/plafond-error';
import { MAX_JSON_DEPTH, translateBodyError, verifyJsonBody } from './body-errors';

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
