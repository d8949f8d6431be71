// Who is calling, as far as the allocation endpoints care: the role for the audit trail, the
// scope for unit managers. The API key guard (platform auth) has already authenticated the key
// and checked the route's roles; what depends on the data (which units) is checked here.
import { Inject, Injectable } from '@nestjs/common';
import type { AsOf } from '@plafond/ledger';
import { isScopedCaller, outOfScopeError, type CallerIdentity } from '@plafond/platform';
import { isInSubtree, type OrganisationState } from '../domain';

export const ALLOCATION_ROLES = ['admin', 'unit_manager', 'auditor', 'service'] as const;
export type AllocationRole = (typeof ALLOCATION_ROLES)[number];
/** Roles whose keys are bound to a unit and see only its subtree. */
export const SCOPED_ROLES: readonly AllocationRole[] = ['unit_manager'];

/** The audit identity (`<role>:<keyId>`) and a write's command context: the platform's. */
export { actorOf, contextOf, type CallerContext, type CallerIdentity } from '@plafond/platform';

/** Reads the unit tree; provided by the application's OrganisationService. */
export interface OrganisationReader {
  organisation(asOf?: AsOf): Promise<OrganisationState>;
}
export const ORGANISATION_READER = Symbol('plafond.allocation.ORGANISATION_READER');

export function isScoped(caller: CallerIdentity): boolean {
  return isScopedCaller(caller, SCOPED_ROLES);
}

/**
 * Scope checks for unit managers, against the current unit tree (a key's authority is today's,
 * even when it reads the past with asOf). A unit unknown to the tree is out of scope: a scoped
 * key learns nothing about units outside its subtree, not even whether they exist.
 */
@Injectable()
export class ScopeChecker {
  constructor(@Inject(ORGANISATION_READER) private readonly organisations: OrganisationReader) {}

  /** Throws AUTH.FORBIDDEN (403) unless every unit is in the caller's subtree. */
  async requireUnits(caller: CallerIdentity, unitIds: readonly string[]): Promise<void> {
    if (!isScoped(caller)) return;
    const outside = await this.outside(caller, unitIds);
    if (outside.length > 0) throw outOfScopeError(caller, outside);
  }

  /** The items whose unit is in the caller's subtree (all of them for an unscoped caller). */
  async filter<T>(
    caller: CallerIdentity,
    items: readonly T[],
    unitOf: (item: T) => string,
  ): Promise<T[]> {
    if (!isScoped(caller)) return [...items];
    const outside = new Set(await this.outside(caller, items.map(unitOf)));
    return items.filter((item) => !outside.has(unitOf(item)));
  }

  private async outside(caller: CallerIdentity, unitIds: readonly string[]): Promise<string[]> {
    const scope = caller.scopeUnitId;
    if (scope === null) return [...new Set(unitIds)];
    const organisation = await this.organisations.organisation();
    const known = (unitId: string) => Object.hasOwn(organisation.units, unitId);
    return [...new Set(unitIds)].filter(
      (unitId) => !known(unitId) || !known(scope) || !isInSubtree(organisation, scope, unitId),
    );
  }
}
