// The ingestion application's thrown errors (factor sets) become HTTP answers here; per-item usage
// refusals are never thrown (they are in the batch answer).
import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { PlafondError, PlatformErrorCode } from '@plafond/platform';
import { catchError, throwError, type Observable } from 'rxjs';
import { FACTOR_SET_ERROR, isIngestionError, type FactorSetErrorCode } from '../application';
import { INGEST_BUSY, INGEST_BUSY_RETRY_AFTER_SECONDS } from './usage-admission';

/** Every code IngestionError may carry, with its status. */
export const INGESTION_ERROR_STATUS: Readonly<Record<FactorSetErrorCode, number>> = {
  [FACTOR_SET_ERROR.invalid]: 400,
  [FACTOR_SET_ERROR.notFound]: 404,
  [FACTOR_SET_ERROR.versionExists]: 409,
  [FACTOR_SET_ERROR.rerateTooLarge]: 422,
  [FACTOR_SET_ERROR.rerateFailed]: 422,
};

export function toHttpError(error: unknown): unknown {
  if (!isIngestionError(error)) return error;
  return new PlafondError(
    error.code,
    error.message,
    error.details,
    INGESTION_ERROR_STATUS[error.code],
  );
}

type SetHeader = (name: string, value: string) => void;

@Injectable()
export class IngestionErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const mapped = toHttpError(error);
        // A batch refused by admission (INGEST.BUSY) or interrupted by a busy database
        // (SERVICE.BUSY, its recorded items listed): tell the client when to resend.
        if (
          mapped instanceof PlafondError &&
          (mapped.code === INGEST_BUSY || mapped.code === PlatformErrorCode.serviceBusy)
        ) {
          const response = context.switchToHttp().getResponse<{ setHeader?: SetHeader }>();
          response.setHeader?.('Retry-After', String(INGEST_BUSY_RETRY_AFTER_SECONDS));
        }
        return throwError(() => mapped);
      }),
    );
  }
}
