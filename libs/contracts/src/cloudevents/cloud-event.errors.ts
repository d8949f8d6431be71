import type { ContractIssue } from '../validation/issue';

/** Codes of the individual problems a CloudEvent (or its Kafka/HTTP carrier) can have. */
export const CLOUDEVENT_ISSUE = {
  notAnObject: 'CLOUDEVENT.NOT_AN_OBJECT',
  missingAttribute: 'CLOUDEVENT.MISSING_ATTRIBUTE',
  unsupportedSpecVersion: 'CLOUDEVENT.UNSUPPORTED_SPECVERSION',
  notAString: 'CLOUDEVENT.NOT_A_STRING',
  emptyString: 'CLOUDEVENT.EMPTY_STRING',
  invalidCharacters: 'CLOUDEVENT.INVALID_CHARACTERS',
  tooLong: 'CLOUDEVENT.TOO_LONG',
  invalidUriReference: 'CLOUDEVENT.INVALID_URI_REFERENCE',
  invalidUri: 'CLOUDEVENT.INVALID_URI',
  invalidTimestamp: 'CLOUDEVENT.INVALID_TIMESTAMP',
  invalidMediaType: 'CLOUDEVENT.INVALID_MEDIA_TYPE',
  invalidExtensionName: 'CLOUDEVENT.INVALID_EXTENSION_NAME',
  invalidExtensionValue: 'CLOUDEVENT.INVALID_EXTENSION_VALUE',
  tooManyExtensions: 'CLOUDEVENT.TOO_MANY_EXTENSIONS',
  dataConflict: 'CLOUDEVENT.DATA_CONFLICT',
  invalidBase64: 'CLOUDEVENT.INVALID_BASE64',
  dataNotJson: 'CLOUDEVENT.DATA_NOT_JSON',
  dataTypeMismatch: 'CLOUDEVENT.DATA_TYPE_MISMATCH',
  invalidJson: 'CLOUDEVENT.INVALID_JSON',
  invalidUtf8: 'CLOUDEVENT.INVALID_UTF8',
  invalidHeader: 'CLOUDEVENT.INVALID_HEADER',
  emptyMessage: 'CLOUDEVENT.EMPTY_MESSAGE',
  unsupportedFormat: 'CLOUDEVENT.UNSUPPORTED_FORMAT',
  tooLarge: 'CLOUDEVENT.TOO_LARGE',
  batchNotArray: 'CLOUDEVENT.BATCH_NOT_ARRAY',
  batchTooLarge: 'CLOUDEVENT.BATCH_TOO_LARGE',
} as const;
export type CloudEventIssueCode = (typeof CLOUDEVENT_ISSUE)[keyof typeof CLOUDEVENT_ISSUE];

export interface CloudEventIssue extends ContractIssue {
  readonly code: CloudEventIssueCode;
}

/**
 * Thrown when an input is not a valid CloudEvent. `code` is always `CLOUDEVENT.INVALID` (one
 * mapping to HTTP 400 / the rejected topic); `issues` say what exactly is wrong, and where.
 */
export class CloudEventValidationError extends Error {
  override readonly name = 'CloudEventValidationError';
  readonly code = 'CLOUDEVENT.INVALID';

  constructor(readonly issues: readonly CloudEventIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(
      first === undefined
        ? 'invalid CloudEvent'
        : `invalid CloudEvent: ${first.path || '(root)'} ${first.message} [${first.code}]${more}`,
    );
  }

  static of(path: string, code: CloudEventIssueCode, message: string): CloudEventValidationError {
    return new CloudEventValidationError([{ path, code, message }]);
  }
}

/** Re-roots the issue paths of an error, e.g. `id` → `headers.ce_id` in Kafka binary mode. */
export function remapIssues(
  error: CloudEventValidationError,
  mapPath: (path: string) => string,
): CloudEventValidationError {
  return new CloudEventValidationError(
    error.issues.map((issue) => ({ ...issue, path: mapPath(issue.path) })),
  );
}
