// `can(method, path)` against the permissions /v1/auth/self lists (OpenAPI paths with {param}).
import type { Permission } from '../api/types';

function segments(path: string): string[] {
  const bare = path.split('?')[0] ?? '';
  return bare.split('/').filter((segment) => segment.length > 0);
}

const PARAM = /^\{[^/{}]+\}$/;

/**
 * Whether a concrete path (`/v1/budgets/b-1/balances`) or a template
 * (`/v1/budgets/{budgetId}/balances`) matches a permission's template.
 */
export function pathMatches(template: string, path: string): boolean {
  const expected = segments(template);
  const actual = segments(path);
  if (expected.length !== actual.length) return false;
  return expected.every((segment, index) => {
    const other = actual[index] ?? '';
    if (PARAM.test(segment)) return other.length > 0;
    return segment === other || safeDecode(other) === segment;
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function isPermitted(
  permissions: readonly Permission[] | undefined,
  method: string,
  path: string,
): boolean {
  if (!permissions) return false;
  const verb = method.toUpperCase();
  return permissions.some(
    (permission) => permission.method.toUpperCase() === verb && pathMatches(permission.path, path),
  );
}
