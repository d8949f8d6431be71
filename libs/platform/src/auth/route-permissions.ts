// Which routes a role may call, from the same @Roles / @Public / @AnyRole metadata the guard reads:
// what `GET /v1/auth/self` lists so that a client (the console) hides what it may not do.
import { ANY_ROLE_KEY, IS_PUBLIC_KEY, requiredRoles, ROLES_KEY } from './access';

/** One HTTP route with its access metadata, as the guard would see it. */
export interface RouteAccess {
  /** Upper case: GET, POST, PUT, PATCH, DELETE… */
  readonly method: string;
  /** OpenAPI form: `/v1/budgets/{budgetId}/balances`. */
  readonly path: string;
  readonly isPublic: boolean;
  readonly anyRole: boolean;
  /** From `@Roles` (method over class); undefined: admin only. */
  readonly roles: readonly string[] | undefined;
}

export interface Permission {
  readonly method: string;
  readonly path: string;
}

function segments(path: string | readonly string[] | undefined): string[] {
  const first = Array.isArray(path)
    ? (path[0] as string | undefined)
    : (path as string | undefined);
  return (first ?? '').split('/').filter((segment) => segment.length > 0);
}

/**
 * `@Controller('v1/budgets/:budgetId')` + `@Get('allocations')` → `/v1/budgets/{budgetId}/allocations`.
 * A parameter's inline pattern (`:id(\\d+)`) is dropped, as OpenAPI names only the parameter.
 */
export function openApiPath(
  controllerPath: string | readonly string[] | undefined,
  methodPath: string | readonly string[] | undefined,
): string {
  const parts = [...segments(controllerPath), ...segments(methodPath)].map((segment) => {
    const match = /^:([A-Za-z0-9_]+)/.exec(segment);
    return match === null ? segment : `{${match[1] as string}}`;
  });
  return `/${parts.join('/')}`;
}

/** The routes `role` may call (public ones left out), sorted by path then method, no duplicates. */
export function permittedRoutes(routes: readonly RouteAccess[], role: string): Permission[] {
  const allowed = new Map<string, Permission>();
  for (const route of routes) {
    if (route.isPublic) continue;
    if (!route.anyRole && !requiredRoles(route.roles).includes(role)) continue;
    allowed.set(`${route.path} ${route.method}`, { method: route.method, path: route.path });
  }
  return [...allowed.values()].sort((a, b) =>
    a.path === b.path ? compare(a.method, b.method) : compare(a.path, b.path),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What the guard reads for one handler: method metadata overrides the controller's. */
export function accessMetadata(
  handler: object,
  controller: object,
): Pick<RouteAccess, 'isPublic' | 'anyRole' | 'roles'> {
  const read = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ??
    (Reflect.getMetadata(key, controller) as T | undefined);
  return {
    isPublic: read<boolean>(IS_PUBLIC_KEY) === true,
    anyRole: read<boolean>(ANY_ROLE_KEY) === true,
    roles: read<string[]>(ROLES_KEY),
  };
}
