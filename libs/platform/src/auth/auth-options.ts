import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { ADMIN_ROLE, ROLE_NAME_PATTERN } from './access';

/**
 * Checks that a scoped key's unit exists when the key is created; throws a PlafondError (for
 * example UNIT.NOT_FOUND) when it does not. Provided by the app, which knows its units.
 */
export type ScopeValidator = (scopeUnitId: string) => Promise<void>;
export const SCOPE_VALIDATOR = Symbol('plafond.auth.SCOPE_VALIDATOR');

/** Upper bound of the verified-key cache: a revoked key is refused everywhere within it. */
export const MAX_VERIFIED_KEY_CACHE_TTL_MS = 5_000;

export interface AuthModuleOptions {
  /** The service's roles; `admin` is added when missing. */
  readonly roles: readonly string[];
  /** Roles whose keys are bound to a unit (`scopeUnitId` required); the others may not have one. */
  readonly scopedRoles?: readonly string[];
  /** How long a verified key is trusted without reading the table again; 0 to 5000, default 5000. */
  readonly verifiedKeyCacheTtlMs?: number;
  /**
   * The SCOPE_VALIDATOR, built from the app's providers (AuthModule cannot see them otherwise).
   * A globally provided SCOPE_VALIDATOR works too. Without either, scopes are not checked.
   */
  readonly scopeValidator?: {
    readonly imports?: ModuleMetadata['imports'];
    readonly inject?: InjectionToken[];
    readonly useFactory: (...dependencies: never[]) => ScopeValidator | Promise<ScopeValidator>;
  };
}

export interface ResolvedAuthOptions {
  readonly roles: readonly string[];
  readonly scopedRoles: readonly string[];
  readonly verifiedKeyCacheTtlMs: number;
}

export const AUTH_OPTIONS = Symbol('plafond.auth.OPTIONS');

/** Validated options; a mistake here is a programming error and stops the boot. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  const roles = [...new Set([ADMIN_ROLE, ...options.roles])];
  const scopedRoles = [...new Set(options.scopedRoles ?? [])];
  const bad = roles.filter((role) => !ROLE_NAME_PATTERN.test(role));
  if (bad.length > 0) throw new Error(`AuthModule: invalid role names ${JSON.stringify(bad)}`);
  const undeclared = scopedRoles.filter((role) => !roles.includes(role));
  if (undeclared.length > 0) {
    throw new Error(`AuthModule: scoped roles not in roles: ${JSON.stringify(undeclared)}`);
  }
  if (scopedRoles.includes(ADMIN_ROLE)) throw new Error('AuthModule: admin cannot be scoped');
  const ttl = options.verifiedKeyCacheTtlMs ?? MAX_VERIFIED_KEY_CACHE_TTL_MS;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_VERIFIED_KEY_CACHE_TTL_MS) {
    throw new Error(
      `AuthModule: verifiedKeyCacheTtlMs must be an integer from 0 to ${MAX_VERIFIED_KEY_CACHE_TTL_MS}`,
    );
  }
  return { roles, scopedRoles, verifiedKeyCacheTtlMs: ttl };
}
