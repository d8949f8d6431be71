// Who may call what: the route decorators, the authenticated principal and the guard's decision
// as a pure function (the guard only gathers its inputs).
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PlafondError, PlatformErrorCode } from '../errors/plafond-error';

/** Always declared, may call every route. */
export const ADMIN_ROLE = 'admin';

export const IS_PUBLIC_KEY = 'plafond:auth:public';
export const ROLES_KEY = 'plafond:auth:roles';
export const ANY_ROLE_KEY = 'plafond:auth:any-role';
/** Marks public operations in the OpenAPI document; buildOpenApiDocument removes it. */
export const OPENAPI_PUBLIC_EXTENSION = 'x-plafond-public';

export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

/** The caller, once its API key is verified: `request.principal`, `@CurrentPrincipal()`. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  /** The unit whose subtree a scoped role (unit manager, integrator) acts on; null otherwise. */
  readonly scopeUnitId: string | null;
}

/** Opens a route (or every route of a controller) to callers without a key: health probes. */
export function Public() {
  return applyDecorators(
    SetMetadata(IS_PUBLIC_KEY, true),
    ApiExtension(OPENAPI_PUBLIC_EXTENSION, true),
  );
}

/**
 * The roles that may call a route besides `admin`, who always may. A route (or controller)
 * without `@Roles` is admin-only: access is denied by default. Method-level overrides class-level.
 */
export function Roles(...roles: string[]) {
  for (const role of roles) {
    if (!ROLE_NAME_PATTERN.test(role)) {
      throw new Error(`@Roles: ${JSON.stringify(role)} is not a role name (a-z, 0-9, _)`);
    }
  }
  return SetMetadata(ROLES_KEY, [...new Set(roles)]);
}

/**
 * Opens a route to every valid key, whatever its role (`GET /v1/auth/self`): the service's roles
 * are only known at run time, so `@Roles` cannot list them all. Still needs a valid key.
 */
export function AnyRole() {
  return SetMetadata(ANY_ROLE_KEY, true);
}

export interface AccessRequest {
  readonly isPublic: boolean;
  /** From `@AnyRole()`: any valid key may call. */
  readonly anyRole?: boolean;
  /** From `@Roles`; undefined or empty: admin only. */
  readonly roles: readonly string[] | undefined;
  /** Undefined when no valid key came with the request. */
  readonly principal: Principal | undefined;
}

export type AccessDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly error: PlafondError };

export const UNAUTHENTICATED_MESSAGE = 'A valid API key is required.';

/** One answer for a missing, malformed, unknown or revoked key: no oracle for key guessing. */
export function unauthenticatedError(): PlafondError {
  return new PlafondError(PlatformErrorCode.authUnauthenticated, UNAUTHENTICATED_MESSAGE, {}, 401);
}

export function forbiddenError(role: string, required: readonly string[]): PlafondError {
  return new PlafondError(
    PlatformErrorCode.authForbidden,
    `The role "${role}" may not call this endpoint.`,
    { role, required: [...required] },
    403,
  );
}

/** Every role that may call a route with these `@Roles`, admin first. */
export function requiredRoles(roles: readonly string[] | undefined): string[] {
  return [...new Set([ADMIN_ROLE, ...(roles ?? [])])];
}

export function decideAccess(request: AccessRequest): AccessDecision {
  if (request.isPublic) return { allowed: true };
  const { principal } = request;
  if (principal === undefined) return { allowed: false, error: unauthenticatedError() };
  if (request.anyRole === true) return { allowed: true };
  const required = requiredRoles(request.roles);
  if (required.includes(principal.role)) return { allowed: true };
  return { allowed: false, error: forbiddenError(principal.role, required) };
}
