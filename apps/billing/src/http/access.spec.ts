import { PlafondError } from '@plafond/platform';
import { BillingScope, type BillingUnitTree, type CallerIdentity } from './access';

// acme → bu-retail → team-search; acme → bu-corporate
const children: Record<string, string[]> = {
  acme: ['bu-retail', 'bu-corporate'],
  'bu-retail': ['team-search'],
};
const tree: BillingUnitTree = {
  subtreeOf: (unitId) => {
    const out: string[] = [];
    const walk = (id: string) => {
      out.push(id);
      for (const child of children[id] ?? []) walk(child);
    };
    walk(unitId);
    return Promise.resolve(out);
  },
};

const finance: CallerIdentity = { keyId: 'k1', role: 'finance', scopeUnitId: null };
const manager: CallerIdentity = { keyId: 'k2', role: 'unit_manager', scopeUnitId: 'bu-retail' };

describe('BillingScope', () => {
  const scope = new BillingScope(tree);

  it('lets unscoped roles see everything', async () => {
    await expect(scope.requireUnits(finance, ['bu-corporate'])).resolves.toBeUndefined();
    await expect(scope.unitsFor(finance)).resolves.toBeUndefined();
    await expect(scope.unitsFor(finance, 'bu-retail')).resolves.toEqual([
      'bu-retail',
      'team-search',
    ]);
  });

  it('keeps a unit manager in its subtree (403 AUTH.FORBIDDEN outside, unknown units included)', async () => {
    await expect(scope.requireUnits(manager, ['team-search'])).resolves.toBeUndefined();
    await expect(scope.unitsFor(manager)).resolves.toEqual(['bu-retail', 'team-search']);
    for (const outside of ['bu-corporate', 'acme', 'team-ghost']) {
      const refusal = await scope.requireUnits(manager, [outside]).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(PlafondError);
      expect(refusal).toMatchObject({
        code: 'AUTH.FORBIDDEN',
        httpStatus: 403,
        details: { scopeUnitId: 'bu-retail', unitIds: [outside] },
      });
    }
    await expect(scope.unitsFor(manager, 'bu-corporate')).rejects.toMatchObject({
      httpStatus: 403,
    });
  });

  it('answers without an error whether a caller may see units (for answers that hide them)', async () => {
    await expect(scope.permits(finance, ['bu-corporate'])).resolves.toBe(true);
    await expect(scope.permits(manager, ['team-search', 'bu-retail'])).resolves.toBe(true);
    await expect(scope.permits(manager, ['team-search', 'bu-corporate'])).resolves.toBe(false);
    await expect(scope.permits(manager, ['team-ghost'])).resolves.toBe(false);
  });
});
