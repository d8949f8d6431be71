import { PlafondError } from '../errors/plafond-error';
import { translateBodyError } from './body-errors';

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
