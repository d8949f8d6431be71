// What a service's endpoints read from the authenticated caller: the audit identity of a write
// and the unit scope of a scoped key. Which units are in a scope is each service's business (its
// own view of the unit tree); the identity, the context and the refusal are the same everywhere.
import { currentCorrelationId } from '../logging/correlation';
import { PlafondError, PlatformErrorCode } from '../errors/plafond-error';
import type { Principal } from './access';

/** The part of the principal (`@CurrentPrincipal()`) the endpoints use. */
export type CallerIdentity = Pick<Principal, 'keyId' | 'role' | 'scopeUnitId'>;

/** The command context of a write: `<role>:<keyId>`, the request's correlation id, the reason. */
export interface CallerContext {
  actor: string;
  correlationId?: string;
  reason?: string;
}

/** The audit identity written to every event's metadata: `<role>:<keyId>`. */
export function actorOf(caller: CallerIdentity): string {
  return `${caller.role}:${caller.keyId}`;
}

export function contextOf(caller: CallerIdentity, reason?: string | null): CallerContext {
  const correlationId = currentCorrelationId();
  return {
    actor: actorOf(caller),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(reason === undefined || reason === null ? {} : { reason }),
  };
}

/** A caller restricted to a subtree: a scoped role, or any key bound to a unit. */
export function isScopedCaller(caller: CallerIdentity, scopedRoles: readonly string[]): boolean {
  return scopedRoles.includes(caller.role) || caller.scopeUnitId !== null;
}

/** AUTH.FORBIDDEN (403) for units outside the caller's subtree. */
export function outOfScopeError(caller: CallerIdentity, unitIds: readonly string[]): PlafondError {
  return new PlafondError(
    PlatformErrorCode.authForbidden,
    `This key may only act on units under "${caller.scopeUnitId ?? '(none)'}".`,
    { role: caller.role, scopeUnitId: caller.scopeUnitId, unitIds: [...unitIds] },
    403,
  );
}
