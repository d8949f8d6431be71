import { PlafondError, PlatformErrorCode } from '../errors/plafond-error';

type Next = (error?: unknown) => void;

interface BodyParserFailure {
  readonly type: string;
  readonly status?: number;
  readonly limit?: number;
  /** Set by our own `verify` failures that concern one field. */
  readonly field?: string;
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
function bodyFailure(type: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(type), { type, status: 400, ...extra });
}

const BODY_NUMBER_EXPONENT = 'entity.number.exponent';
/** A complete JSON number written with an exponent; malformed tokens are left to JSON.parse. */
const EXPONENT_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][+-]?[0-9]+$/;

export interface JsonBodyChecks {
  /**
   * Refuse JSON numbers written with an exponent (`1e3`, `1E+3`, `-2.5e-1`; inside strings they
   * are text, left to the DTOs) with 400 REQUEST.INVALID, the answer the string `"1e3"` gets:
   * after JSON.parse the number is indistinguishable from `1000`.
   */
  readonly refuseExponentNumbers?: boolean;
}

/** Where the scan is: one frame per open array or object, for naming a refused number's field. */
type Frame =
  | { readonly kind: 'array'; index: number }
  | { readonly kind: 'object'; keyStart: number; keyEnd: number; expectingKey: boolean };

function fieldPath(body: Buffer, frames: readonly Frame[]): string {
  const parts = frames.map((frame) => {
    if (frame.kind === 'array') return String(frame.index);
    try {
      return String(JSON.parse(body.toString('utf8', frame.keyStart, frame.keyEnd)));
    } catch {
      return '?';
    }
  });
  return parts.length === 0 ? 'body' : parts.join('.');
}

/**
 * body-parser's `verify` hook for JSON bodies, on the raw bytes before they are decoded and parsed:
 * invalid UTF-8 would otherwise be decoded lossily (U+FFFD stored in place of what was sent), and
 * excessive nesting would reach the validation pipe. One pass over the bytes; brackets inside
 * strings do not count. With `refuseExponentNumbers`, number tokens are checked in the same pass.
 */
export function jsonBodyVerifier(
  checks: JsonBodyChecks = {},
): (request: unknown, response: unknown, body: Buffer) => void {
  const refuseExponents = checks.refuseExponentNumbers === true;
  return (_request, _response, body) => {
    try {
      utf8.decode(body);
    } catch {
      throw bodyFailure(BODY_NOT_UTF8);
    }
    const frames: Frame[] = [];
    let inString = false;
    let stringStart = 0;
    for (let index = 0; index < body.length; index += 1) {
      const byte = body[index] as number;
      const top = frames[frames.length - 1];
      if (inString) {
        if (byte === 0x5c)
          index += 1; // backslash: skip the escaped character
        else if (byte === 0x22) {
          inString = false;
          if (top?.kind === 'object' && top.expectingKey) {
            top.keyStart = stringStart;
            top.keyEnd = index + 1;
            top.expectingKey = false;
          }
        }
      } else if (byte === 0x22) {
        inString = true;
        stringStart = index;
      } else if (byte === 0x5b || byte === 0x7b) {
        frames.push(
          byte === 0x5b
            ? { kind: 'array', index: 0 }
            : { kind: 'object', keyStart: 0, keyEnd: 0, expectingKey: true },
        );
        if (frames.length > MAX_JSON_DEPTH) throw bodyFailure(BODY_TOO_DEEP);
      } else if (byte === 0x5d || byte === 0x7d) frames.pop();
      else if (byte === 0x2c) {
        if (top?.kind === 'array') top.index += 1;
        else if (top?.kind === 'object') top.expectingKey = true;
      } else if (refuseExponents && (byte === 0x2d || (byte >= 0x30 && byte <= 0x39))) {
        // A number token: digits, sign, point and exponent run until any other byte.
        let end = index + 1;
        let exponent = false;
        for (; end < body.length; end += 1) {
          const next = body[end] as number;
          if (next === 0x65 || next === 0x45) exponent = true;
          else if (!(
            next === 0x2b ||
            next === 0x2d ||
            next === 0x2e ||
            (next >= 0x30 && next <= 0x39)
          ))
            break;
        }
        if (exponent && EXPONENT_NUMBER.test(body.toString('latin1', index, end))) {
          throw bodyFailure(BODY_NUMBER_EXPONENT, { field: fieldPath(body, frames) });
        }
        index = end - 1;
      }
    }
  };
}

/** The hook with the checks every service gets (UTF-8, depth). */
export const verifyJsonBody = jsonBodyVerifier();

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
    case BODY_NUMBER_EXPONENT: {
      const field = error.field ?? 'body';
      return new PlafondError(
        PlatformErrorCode.requestInvalid,
        `The request is invalid: ${field}.`,
        {
          fields: [
            {
              field,
              errors: [
                `${field} is a JSON number in exponent notation, which is not accepted ` +
                  '(QUANTITY.EXPONENT)',
              ],
            },
          ],
        },
        400,
      );
    }
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
