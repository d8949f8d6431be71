import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { currentCorrelationId } from '../logging/correlation';
import { JsonLogger } from '../logging/json-logger';
import { serializeError } from '../logging/redact';
import { BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy } from './database-busy';
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from './database-unavailable';
import { PlafondError, PlatformErrorCode } from './plafond-error';

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  /** Response headers the answer needs (Retry-After on SERVICE.BUSY). */
  readonly headers?: Readonly<Record<string, string>>;
}

const codeByStatus: Readonly<Record<number, string>> = {
  400: PlatformErrorCode.requestInvalid,
  401: PlatformErrorCode.authUnauthenticated,
  403: PlatformErrorCode.authForbidden,
  404: PlatformErrorCode.requestNotFound,
  405: PlatformErrorCode.requestMethodNotAllowed,
  413: PlatformErrorCode.requestTooLarge,
  415: PlatformErrorCode.requestUnsupportedMediaType,
  503: PlatformErrorCode.serviceUnavailable,
};

function internal(): Mapped {
  const correlationId = currentCorrelationId();
  return {
    status: 500,
    body: {
      code: PlatformErrorCode.internal,
      message: 'Internal error. Quote the correlation id when reporting it.',
      details: correlationId === undefined ? {} : { correlationId },
    },
  };
}

/** 503 with Retry-After: the request was not completed, and a retry of it is safe. */
function unavailable(code: string, cause: string, retryAfterSeconds: number): Mapped {
  const correlationId = currentCorrelationId();
  return {
    status: 503,
    body: {
      code,
      message: `${cause} Retry the same request (same ids) shortly: what it already did is not done twice.`,
      details: correlationId === undefined ? {} : { correlationId },
    },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  };
}

const busy = (): Mapped =>
  unavailable(
    PlatformErrorCode.serviceBusy,
    'The service is busy: no database connection was free in time and the request was not completed.',
    BUSY_RETRY_AFTER_SECONDS,
  );

const databaseUnavailable = (): Mapped =>
  unavailable(
    PlatformErrorCode.serviceUnavailable,
    'The service could not reach its database; it reconnects by itself.',
    UNAVAILABLE_RETRY_AFTER_SECONDS,
  );

/** The single place where an error becomes an HTTP answer `{ code, message, details }`. */
export function mapException(exception: unknown): Mapped {
  if (isDatabaseBusy(exception)) return busy();
  // A database outage (restart, failover) is a dependency down, not a defect: 503, not 500.
  if (isDatabaseUnavailable(exception)) return databaseUnavailable();
  if (exception instanceof PlafondError) {
    return {
      status: exception.httpStatus,
      body: { code: exception.code, message: exception.message, details: exception.details ?? {} },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500 && status !== 503) return internal();
    const code = codeByStatus[status] ?? PlatformErrorCode.requestRejected;
    return { status, body: { code, message: exception.message, details: {} } };
  }
  return internal();
}

@Catch()
@Injectable()
export class PlafondExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: JsonLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const { status, body, headers } = mapException(exception);
    const error = exception instanceof Error ? serializeError(exception) : { thrown: exception };
    if (body.code === PlatformErrorCode.serviceBusy) {
      // Overload, not a defect: a warning per refused request (the pool's size and timeout tell why).
      this.logger.write(
        'warn',
        'request refused: busy',
        { status, code: body.code, err: error },
        'Http',
      );
    } else if (isDatabaseUnavailable(exception)) {
      // A dependency outage: the readiness probe and the database's own logs tell the story.
      this.logger.write(
        'warn',
        'request refused: database unavailable',
        { status, code: body.code, err: error },
        'Http',
      );
    } else if (status >= 500) {
      this.logger.write('error', 'request failed', { status, code: body.code, err: error }, 'Http');
    } else {
      this.logger.write('debug', 'request rejected', { status, code: body.code }, 'Http');
    }
    const response: unknown = host.switchToHttp().getResponse();
    if ((response as { headersSent?: boolean }).headersSent === true) return;
    const { httpAdapter } = this.adapterHost;
    for (const [name, value] of Object.entries(headers ?? {})) {
      httpAdapter.setHeader(response, name, value);
    }
    httpAdapter.reply(response, body, status);
  }
}
