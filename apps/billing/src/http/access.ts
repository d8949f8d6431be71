// Who is calling, as far as the billing endpoints care: the role for the audit trail, the scope
// for unit managers. The API key guard (platform auth) has already authenticated the key and
// checked the route's `@Roles`; what depends on the data (which units) is checked here, against
// the unit tree billing learnt from allocation's events (BillingDirectory).
import { Inject, Injectable } from '@nestjs/common';
import { isScopedCaller, outOfScopeError, type CallerIdentity } from '@plafond/platform';

export { contextOf, type CallerContext, type CallerIdentity } from '@plafond/platform';

/** finance writes (schedules, profiles, close); auditors read everything; unit managers their subtree. */
export const BILLING_ROLES = ['admin', 'finance', 'unit_manager', 'auditor'] as const;
export type BillingRole = (typeof BILLING_ROLES)[number];
/** Roles whose keys are bound to a unit and see only its subtree. */
export const SCOPED_ROLES: readonly BillingRole[] = ['unit_manager'];

/** The unit tree as billing knows it; provided by the application's BillingDirectory. */
export interface BillingUnitTree {
  /** The unit and its descendants; empty when the unit is unknown. */
  subtreeOf(unitId: string): Promise<string[]>;
}
export const BILLING_UNIT_TREE = Symbol('plafond.billing.BILLING_UNIT_TREE');

export function isScoped(caller: CallerIdentity): boolean {
  return isScopedCaller(caller, SCOPED_ROLES);
}

/**
 * Scope checks for unit managers, against today's unit tree. A unit unknown to the tree is out of
 * scope: a scoped key learns nothing about units outside its subtree, not even whether they exist.
 */
@Injectable()
export class BillingScope {
  constructor(@Inject(BILLING_UNIT_TREE) private readonly tree: BillingUnitTree) {}

  /** Throws AUTH.FORBIDDEN (403) unless every unit is in the caller's subtree. */
  async requireUnits(caller: CallerIdentity, unitIds: readonly string[]): Promise<void> {
    if (!isScoped(caller)) return;
    const allowed = await this.allowed(caller);
    const outside = [...new Set(unitIds)].filter((unitId) => !allowed.has(unitId));
    if (outside.length > 0) throw outOfScopeError(caller, outside);
  }

  /** Whether the caller may see every one of these units (no error: for answers that hide). */
  async permits(caller: CallerIdentity, unitIds: readonly string[]): Promise<boolean> {
    if (!isScoped(caller)) return true;
    const allowed = await this.allowed(caller);
    return unitIds.every((unitId) => allowed.has(unitId));
  }

  /**
   * The units a report is restricted to: `unitId` and its subtree when given (in the caller's
   * scope), else the caller's subtree for a scoped key, else undefined (every unit).
   */
  async unitsFor(caller: CallerIdentity, unitId?: string): Promise<string[] | undefined> {
    if (unitId !== undefined) {
      await this.requireUnits(caller, [unitId]);
      return [...new Set([unitId, ...(await this.tree.subtreeOf(unitId))])];
    }
    if (!isScoped(caller)) return undefined;
    return [...(await this.allowed(caller))];
  }

  private async allowed(caller: CallerIdentity): Promise<Set<string>> {
    const scope = caller.scopeUnitId;
    if (scope === null) return new Set();
    return new Set(await this.tree.subtreeOf(scope));
  }
}
