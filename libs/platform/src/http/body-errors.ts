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
