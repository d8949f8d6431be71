import { ApiErrors, documentedStatusOf, ERROR_EXAMPLES } from './openapi-errors';
import { ALLOCATION_ERROR_STATUS } from './error-mapping';

/** Non-integer JSON numbers anywhere in a value: amounts must be strings. */
function floatsIn(value: unknown): number[] {
  if (typeof value === 'number') return Number.isInteger(value) ? [] : [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(floatsIn);
}

describe('documented errors', () => {
  it('has an example for every code the service maps, except internal-only ones', () => {
    const internalOnly = ['RESERVATION.NOT_EXPIRED', 'ALLOCATION.TREE_INVALID'];
    const missing = Object.keys(ALLOCATION_ERROR_STATUS).filter(
      (code) => ERROR_EXAMPLES[code] === undefined && !internalOnly.includes(code),
    );
    expect(missing).toEqual([]);
  });

  it('documents each example under the status the service answers', () => {
    expect(documentedStatusOf('QUOTA.EXCEEDED')).toBe(422);
    expect(documentedStatusOf('AUTH.UNAUTHENTICATED')).toBe(401);
    expect(documentedStatusOf('AUTH.FORBIDDEN')).toBe(403);
    expect(documentedStatusOf('REQUEST.INVALID')).toBe(400);
    for (const [code, example] of Object.entries(ERROR_EXAMPLES)) {
      expect(typeof example.message).toBe('string');
      expect(floatsIn(example.details)).toEqual([]);
      expect(documentedStatusOf(code)).toBeGreaterThanOrEqual(400);
    }
  });

  it('refuses to document a code without an example', () => {
    expect(() => ApiErrors('WIDGET.TOO_BLUE')).toThrow('no OpenAPI example for WIDGET.TOO_BLUE');
  });
});
