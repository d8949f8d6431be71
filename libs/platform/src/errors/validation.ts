import { ValidationError, ValidationPipe } from '@nestjs/common';
import { PlafondError, PlatformErrorCode } from './plafond-error';

export interface FieldProblem {
  /** Dotted path into the body, query or params, e.g. `items.0.amount`. */
  readonly field: string;
  readonly errors: readonly string[];
}

const maxReportedFields = 100;

/** Flattens class-validator's tree into one entry per failing leaf field. */
export function fieldProblems(errors: readonly ValidationError[], prefix = ''): FieldProblem[] {
  const result: FieldProblem[] = [];
  const pending = errors.map((error) => ({ error, path: prefix }));
  // Bounded walk instead of recursion: a hostile body could nest thousands of levels deep.
  for (let step = 0; pending.length > 0 && result.length < maxReportedFields; step += 1) {
    if (step > 10_000) break;
    const { error, path } = pending.shift() as { error: ValidationError; path: string };
    const field = path === '' ? error.property : `${path}.${error.property}`;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) result.push({ field, errors: messages });
    for (const child of error.children ?? []) pending.push({ error: child, path: field });
  }
  return result;
}

export function requestInvalid(errors: readonly ValidationError[]): PlafondError {
  const fields = fieldProblems(errors);
  const summary = fields.map((problem) => problem.field).join(', ');
  return new PlafondError(
    PlatformErrorCode.requestInvalid,
    `The request is invalid: ${summary === '' ? 'see details' : summary}.`,
    { fields },
    400,
  );
}

/**
 * The one validation pipe: converts payloads to their DTO classes, rejects properties a DTO does
 * not declare (a typo in a field name must not be silently ignored) and reports every failing
 * field as REQUEST.INVALID.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => requestInvalid(errors),
  });
}
