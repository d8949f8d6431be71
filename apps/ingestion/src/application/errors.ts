// Codes of the ingestion application layer. Per-item refusals of usage are answered in the
// batch result (never thrown); factor-set refusals are thrown as IngestionError, shaped like
// the other services' errors (`{ code, message, details }`) so the HTTP edge maps them alike.

/** Why a usage item was rejected, besides the contracts' USAGE.* / CLOUDEVENT.* / QUANTITY.* issues and CONVERSION.*. */
export const INGEST_ERROR = {
  /** A CloudEvent whose type is not org.plafond.usage.reported.v1. */
  unsupportedType: 'INGEST.UNSUPPORTED_TYPE',
  /** The event's `source` is not the one the caller's key may write. */
  sourceNotAllowed: 'INGEST.SOURCE_NOT_ALLOWED',
  /** The event's unit is outside the caller's key's units. */
  unitOutOfScope: 'INGEST.UNIT_OUT_OF_SCOPE',
  /** occurredAt is older than the configured lateness. */
  tooLate: 'INGEST.TOO_LATE',
  /** occurredAt is further in the future than the configured skew. */
  inFuture: 'INGEST.IN_FUTURE',
  /** No unit with this id is known (from allocation's events). */
  unknownUnit: 'INGEST.UNKNOWN_UNIT',
  /** No use case with this name is known (from allocation's events). */
  unknownUseCase: 'INGEST.UNKNOWN_USE_CASE',
  /** The same (source, id) was recorded with another payload. */
  duplicateConflict: 'INGEST.DUPLICATE_CONFLICT',
} as const;
export type IngestErrorCode = (typeof INGEST_ERROR)[keyof typeof INGEST_ERROR];

export const FACTOR_SET_ERROR = {
  /** The factor set does not validate; details.issues lists every problem. */
  invalid: 'FACTORSET.INVALID',
  /** checkPublication: the version is already published (or is the default set's). */
  versionExists: 'FACTORSET.VERSION_EXISTS',
  notFound: 'FACTORSET.NOT_FOUND',
  /** The window holds more recorded usage than one publication may re-rate. */
  rerateTooLarge: 'FACTORSET.RERATE_TOO_LARGE',
  /** The new set cannot convert some recorded usage of its window (details.failures). */
  rerateFailed: 'FACTORSET.RERATE_FAILED',
} as const;
export type FactorSetErrorCode = (typeof FACTOR_SET_ERROR)[keyof typeof FACTOR_SET_ERROR];

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class IngestionError extends Error {
  override readonly name = 'IngestionError';

  constructor(
    readonly code: FactorSetErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export function isIngestionError(error: unknown): error is IngestionError {
  return error instanceof IngestionError;
}
