import { mapException, PlafondError, runWithCorrelationId } from '@plafond/platform';
import {
  evolveOrganisation,
  initialOrganisationState,
  type OrganisationEvent,
  type OrganisationState,
} from '../domain';
import { actorOf, contextOf, type CallerIdentity, ScopeChecker } from './access';

// acme ─┬─ retail ─┬─ search
//       │          └─ checkout
//       └─ corporate ── finance
function organisation(): OrganisationState {
  const created = (unitId: string, parentId: string | null): OrganisationEvent => ({
    type: 'UnitCreated',
    data: { unitId, parentId, name: unitId },
  });
  return [
    created('acme', null),
    created('retail', 'acme'),
    created('search', 'retail'),
    created('checkout', 'retail'),
    created('corporate', 'acme'),
    created('finance', 'corporate'),
  ].reduce(evolveOrganisation, initialOrganisationState());
}

const checker = () => {
  let reads = 0;
  const scope = new ScopeChecker({
    organisation: () => {
      reads += 1;
      return Promise.resolve(organisation());
    },
  });
  return { scope, reads: () => reads };
};

const manager = (scopeUnitId: string | null): CallerIdentity => ({
  keyId: 'k1',
  role: 'unit_manager',
  scopeUnitId,
});
const admin: CallerIdentity = { keyId: 'root', role: 'admin', scopeUnitId: null };
const auditor: CallerIdentity = { keyId: 'aud', role: 'auditor', scopeUnitId: null };

async function refusal(run: () => Promise<unknown>): Promise<PlafondError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PlafondError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('ScopeChecker', () => {
  it('lets a unit manager act on its unit and everything below it', async () => {
    const { scope } = checker();
    await expect(scope.requireUnits(manager('retail'), ['retail'])).resolves.toBeUndefined();
    await expect(scope.requireUnits(manager('retail'), ['search', 'checkout'])).resolves.toBe(
      undefined,
    );
  });

  it('refuses units outside the subtree, above it, or unknown, with 403 AUTH.FORBIDDEN', async () => {
    const { scope } = checker();
    for (const unitIds of [['finance'], ['acme'], ['search', 'corporate'], ['ghost']]) {
      const error = await refusal(() => scope.requireUnits(manager('retail'), unitIds));
      expect(mapException(error)).toEqual({
        status: 403,
        body: {
          code: 'AUTH.FORBIDDEN',
          message: 'This key may only act on units under "retail".',
          details: {
            role: 'unit_manager',
            scopeUnitId: 'retail',
            unitIds: unitIds.filter((unitId) => unitId !== 'search'),
          },
        },
      });
    }
  });

  it('refuses everything to a scoped key without a scope, or whose scope unit is gone', async () => {
    const { scope } = checker();
    expect((await refusal(() => scope.requireUnits(manager(null), ['search']))).httpStatus).toBe(
      403,
    );
    expect((await refusal(() => scope.requireUnits(manager('gone'), ['search']))).httpStatus).toBe(
      403,
    );
  });

  it('does not read the tree for unscoped roles', async () => {
    const { scope, reads } = checker();
    await scope.requireUnits(admin, ['anything']);
    await scope.requireUnits(auditor, ['finance']);
    expect(await scope.filter(auditor, ['finance', 'search'], (unitId) => unitId)).toEqual([
      'finance',
      'search',
    ]);
    expect(reads()).toBe(0);
  });

  it('filters rows to the scope, in order', async () => {
    const { scope } = checker();
    const rows = ['acme', 'retail', 'search', 'corporate', 'checkout', 'finance'].map((unitId) => ({
      unitId,
    }));
    const visible = await scope.filter(manager('retail'), rows, (row) => row.unitId);
    expect(visible.map((row) => row.unitId)).toEqual(['retail', 'search', 'checkout']);
  });
});

describe('the command context', () => {
  it('names the actor by role and key id, with the correlation id and reason', () => {
    expect(actorOf({ keyId: 'k3x9q2m7p1aa', role: 'unit_manager', scopeUnitId: 'x' })).toBe(
      'unit_manager:k3x9q2m7p1aa',
    );
    expect(runWithCorrelationId('req-7', () => contextOf(admin, 'Q1 cut'))).toEqual({
      actor: 'admin:root',
      correlationId: 'req-7',
      reason: 'Q1 cut',
    });
    expect(contextOf(admin)).toEqual({ actor: 'admin:root' });
  });
});
