import { PlafondError, PlatformErrorCode } from '../errors/plafond-error';

type Next = (error?: unknown) => void;

interface BodyParserFailure {
  readonly type: string;
  readonly status?: number;
  readonly limit?: number;
}

function isBodyParserFailure(error: unknown): error is BodyParserFailure {
  return error instanceof Error && typeof (error as Partial<BodyParserFailure>).type === 'string';
}

/**
 * Deepest nesting of arrays and objects a JSON body may have. No request of ours comes near it;
 * a deeper body made Nest's ValidationPipe recurse until the stack overflowed (a 500).
 */
export const MAX_JSON_DEPTH = 64;
const BODY_TOO_DEEP = 'entity.too.deep';
const BODY_NOT_UTF8 = 'entity.encoding.invalid';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A failure in body-parser's shape: `verify` throws it, body-parser passes it on with its type. */
function bodyFailure(type: string): Error {
  return Object.assign(new Error(type), { type, status: 400 });
}

/**
 * body-parser's `verify` hook for JSON bodies, on the raw bytes before they are decoded and parsed:
 * invalid UTF-8 would otherwise be decoded lossily (U+FFFD stored in place of what was sent), and
 * excessive nesting would reach the validation pipe. One pass over the bytes; brackets inside
 * strings do not count.
 */
export function verifyJsonBody(_request: unknown, _response: unknown, body: Buffer): void {
  try {
    utf8.decode(body);
  } catch {
    throw bodyFailure(BODY_NOT_UTF8);
  }
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) throw bodyFailure(BODY_TOO_DEEP);
    } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
}

/**
 * body-parser reports malformed or oversized bodies as plain errors, which Nest would turn into a
 * generic 400. Rewritten here into coded errors before they reach the exception filter.
 */
export function translateBodyError(error: unknown): unknown {
  if (!isBodyParserFailure(error)) return error;
  switch (error.type) {
    case 'entity.parse.failed':
      return new PlafondError(
        PlatformErrorCode.requestMalformedJson,
        'The request body is not valid JSON.',
        undefined,
        400,
      );
    case 'entity.too.large':
      return new PlafondError(
        PlatformErrorCode.requestTooLarge,
        'The request body is too large.',
        error.limit === undefined ? undefined : { limitBytes: error.limit },
        413,
      );
    case BODY_TOO_DEEP:
      return new PlafondError(
        PlatformErrorCode.requestMalformedJson,
        `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`,
        { maxDepth: MAX_JSON_DEPTH },
        400,
      );
    case BODY_NOT_UTF8:
      return new PlafondError(
        PlatformErrorCode.requestMalformedJson,
        'The request body is not valid UTF-8.',
        undefined,
        400,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new PlafondError(
        PlatformErrorCode.requestUnsupportedMediaType,
        'The request body uses an unsupported encoding or charset.',
        undefined,
        415,
      );
    default:
      return new PlafondError(
        PlatformErrorCode.requestRejected,
        'The request body could not be read.',
        { reason: error.type },
        error.status !== undefined && error.status >= 400 && error.status < 500
          ? error.status
          : 400,
      );
  }
}

/** Express error middleware (four parameters) placed right after the body parser. */
export function bodyErrorMiddleware(
  error: unknown,
  _request: unknown,
  _response: unknown,
  next: Next,
) {
  next(translateBodyError(error));
}
