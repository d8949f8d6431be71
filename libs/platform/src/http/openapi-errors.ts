// OpenAPI documentation of the errors an endpoint answers, one example per code, built the same
// way for every service: each service keeps its own examples and status table and gets its
// `ApiErrors(...codes)` decorator from `createApiErrors`.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { PlatformErrorCode } from '../errors/plafond-error';

/** One documented answer: the body a client gets, minus `code` (the example's key gives it). */
export interface ErrorExample {
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** A second example of AUTH.FORBIDDEN: a scoped key naming a unit outside its subtree. */
export const OUT_OF_SCOPE = `${PlatformErrorCode.authForbidden}#out-of-scope`;

/** The code an example key documents (`CODE#variant` → `CODE`). */
export function exampleCodeOf(key: string): string {
  return key.split('#')[0] as string;
}

/** The codes every endpoint may answer: the validation pipe's and the API key guard's. */
const ALWAYS: readonly string[] = [
  PlatformErrorCode.requestInvalid,
  PlatformErrorCode.authUnauthenticated,
  PlatformErrorCode.authForbidden,
];

const PLATFORM_STATUS: Readonly<Record<string, number>> = {
  [PlatformErrorCode.requestInvalid]: 400,
  [PlatformErrorCode.authUnauthenticated]: 401,
  [PlatformErrorCode.authForbidden]: 403,
};

export interface ApiErrorsOptions {
  /** One realistic example per code (`CODE` or `CODE#variant`); documented codes must be here. */
  readonly examples: Readonly<Record<string, ErrorExample>>;
  /** The status the service answers a code with (the platform's own codes are known already). */
  readonly statusOf: (code: string) => number;
  /** A short text per status, before the list of codes in each response's description. */
  readonly statusText: Readonly<Record<number, string>>;
  /** The examples shown on the shared `ErrorResponse` schema's properties. */
  readonly schemaExample: { readonly code: string } & ErrorExample;
}

export interface ApiErrorsKit {
  /**
   * `@ApiResponse` per status for the codes an endpoint may answer, each with its example. 400
   * REQUEST.INVALID, 401 and 403 are added to every endpoint (the guard and the pipe apply to all).
   * Throws at startup for a code without an example.
   */
  readonly ApiErrors: (...codes: string[]) => MethodDecorator & ClassDecorator;
  /** The status an example key is documented under. */
  readonly documentedStatusOf: (key: string) => number;
  /** The `{ code, message, details }` body schema (`ErrorResponse` in the document). */
  readonly ErrorResponse: new () => { code: string; message: string; details: object };
}

function errorResponseSchema(example: ApiErrorsOptions['schemaExample']) {
  class ErrorResponse {
    @ApiProperty({ description: 'Stable code to branch on (AREA.REASON).', example: example.code })
    code!: string;

    @ApiProperty({ description: 'For humans; may change.', example: example.message })
    message!: string;

    @ApiProperty({
      description: 'JSON a client can act on; amounts are decimal strings.',
      type: 'object',
      additionalProperties: true,
      example: example.details,
    })
    details!: Record<string, unknown>;
  }
  return ErrorResponse;
}

export function createApiErrors(options: ApiErrorsOptions): ApiErrorsKit {
  const { examples, statusOf, statusText } = options;
  const ErrorResponse = errorResponseSchema(options.schemaExample);

  const documentedStatusOf = (key: string): number => {
    const code = exampleCodeOf(key);
    return PLATFORM_STATUS[code] ?? statusOf(code);
  };

  const ApiErrors = (...codes: string[]): MethodDecorator & ClassDecorator => {
    const byStatus = new Map<number, string[]>();
    for (const key of new Set([...ALWAYS, ...codes])) {
      if (examples[key] === undefined) throw new Error(`no OpenAPI example for ${key}`);
      const status = documentedStatusOf(key);
      byStatus.set(status, [...(byStatus.get(status) ?? []), key]);
    }
    const decorators = [...byStatus.entries()]
      .sort(([left], [right]) => left - right)
      .map(([status, keys]) =>
        ApiResponse({
          status,
          description: `${statusText[status] ?? 'Error'}: ${[...new Set(keys.map(exampleCodeOf))].join(', ')}`,
          type: ErrorResponse,
          examples: Object.fromEntries(
            keys.map((key) => {
              const example = examples[key] as ErrorExample;
              return [key, { summary: key, value: { code: exampleCodeOf(key), ...example } }];
            }),
          ),
        }),
      );
    return applyDecorators(...decorators);
  };

  return { ApiErrors, documentedStatusOf, ErrorResponse };
}
