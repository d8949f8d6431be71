import 'reflect-metadata';
import { createApiErrors, exampleCodeOf, OUT_OF_SCOPE } from './openapi-errors';

const kit = createApiErrors({
  examples: {
    'REQUEST.INVALID': { message: 'bad', details: { fields: [] } },
    'AUTH.UNAUTHENTICATED': { message: 'key', details: {} },
    'AUTH.FORBIDDEN': { message: 'role', details: { role: 'auditor' } },
    [OUT_OF_SCOPE]: { message: 'scope', details: { scopeUnitId: 'bu' } },
    'WIDGET.NOT_FOUND': { message: 'no widget', details: { widgetId: 'w' } },
    'WIDGET.TOO_BLUE': { message: 'too blue', details: { blue: '9' } },
  },
  statusOf: (code) => (code.endsWith('.NOT_FOUND') ? 404 : 422),
  statusText: { 403: 'The key may not do this', 404: 'Not found' },
  schemaExample: { code: 'WIDGET.TOO_BLUE', message: 'too blue', details: { blue: '9' } },
});

/** Where @nestjs/swagger keeps `@ApiResponse` metadata (DECORATORS.API_RESPONSE). */
const API_RESPONSE = 'swagger/apiResponse';

type Responses = Record<string, { description: string; examples: Record<string, unknown> }>;

function responsesOf(decorator: MethodDecorator): Responses {
  class Target {
    handler(): void {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Target.prototype, 'handler');
  if (descriptor === undefined) throw new Error('no handler');
  decorator(Target.prototype, 'handler', descriptor);
  return Reflect.getMetadata(API_RESPONSE, descriptor.value) as Responses;
}

describe('createApiErrors', () => {
  it('documents the platform codes on every endpoint, grouped by status with their examples', () => {
    const responses = responsesOf(
      kit.ApiErrors('WIDGET.NOT_FOUND', OUT_OF_SCOPE, 'WIDGET.TOO_BLUE'),
    );
    expect(Object.keys(responses)).toEqual(['400', '401', '403', '404', '422']);
    expect(responses['403']?.description).toBe('The key may not do this: AUTH.FORBIDDEN');
    expect(responses['403']?.examples).toEqual({
      'AUTH.FORBIDDEN': {
        summary: 'AUTH.FORBIDDEN',
        value: { code: 'AUTH.FORBIDDEN', message: 'role', details: { role: 'auditor' } },
      },
      [OUT_OF_SCOPE]: {
        summary: OUT_OF_SCOPE,
        value: { code: 'AUTH.FORBIDDEN', message: 'scope', details: { scopeUnitId: 'bu' } },
      },
    });
    expect(responses['422']?.description).toBe('Error: WIDGET.TOO_BLUE');
  });

  it('documents a code under the platform status, else the service one', () => {
    expect(kit.documentedStatusOf('REQUEST.INVALID')).toBe(400);
    expect(kit.documentedStatusOf('AUTH.UNAUTHENTICATED')).toBe(401);
    expect(kit.documentedStatusOf(OUT_OF_SCOPE)).toBe(403);
    expect(kit.documentedStatusOf('WIDGET.NOT_FOUND')).toBe(404);
    expect(exampleCodeOf('A.B#variant')).toBe('A.B');
  });

  it('refuses to document a code without an example', () => {
    expect(() => kit.ApiErrors('WIDGET.TOO_RED')).toThrow('no OpenAPI example for WIDGET.TOO_RED');
  });

  it('names the shared body schema ErrorResponse', () => {
    expect(kit.ErrorResponse.name).toBe('ErrorResponse');
  });
});
