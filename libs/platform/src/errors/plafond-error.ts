/**
 * Base of every error the services raise on purpose. `code` is stable (clients and alerts match
 * on it, e.g. `QUOTA.EXCEEDED`); `message` is for humans and may change; `details` is JSON data
 * a client can act on. The one exception filter turns it into `{ code, message, details }`.
 */
export class PlafondError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    /** The HTTP status when this error ends a request; 400 unless the caller knows better. */
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = new.target.name;
    if (!/^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)*$/.test(code)) {
      throw new Error(`PlafondError code must look like AREA.REASON, got ${JSON.stringify(code)}`);
    }
    if (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599) {
      throw new Error(`PlafondError httpStatus must be an error status, got ${httpStatus}`);
    }
  }
}

/** Codes raised by the platform itself; domain libraries define their own next to their errors. */
export const PlatformErrorCode = {
  configInvalid: 'CONFIG.INVALID',
  requestInvalid: 'REQUEST.INVALID',
  requestMalformedJson: 'REQUEST.MALFORMED_JSON',
  requestTooLarge: 'REQUEST.TOO_LARGE',
  requestUnsupportedMediaType: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  requestNotFound: 'REQUEST.NOT_FOUND',
  requestMethodNotAllowed: 'REQUEST.METHOD_NOT_ALLOWED',
  requestRejected: 'REQUEST.REJECTED',
  authUnauthenticated: 'AUTH.UNAUTHENTICATED',
  authForbidden: 'AUTH.FORBIDDEN',
  serviceUnavailable: 'SERVICE.UNAVAILABLE',
  /** No database connection within the pool's timeout: overload, retry the same request. */
  serviceBusy: 'SERVICE.BUSY',
  internal: 'INTERNAL',
} as const;
