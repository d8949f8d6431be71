import { runWithCorrelationId } from '../logging/correlation';
import { actorOf, contextOf, isScopedCaller, outOfScopeError, type CallerIdentity } from './caller';

const admin: CallerIdentity = { keyId: 'root', role: 'admin', scopeUnitId: null };
const manager: CallerIdentity = { keyId: 'k2', role: 'unit_manager', scopeUnitId: 'bu-retail' };

describe('caller', () => {
  it('writes <role>:<keyId> with the correlation id and the reason when there are', () => {
    expect(actorOf(manager)).toBe('unit_manager:k2');
    expect(runWithCorrelationId('req-7', () => contextOf(admin, 'Q1 cut'))).toEqual({
      actor: 'admin:root',
      correlationId: 'req-7',
      reason: 'Q1 cut',
    });
    expect(contextOf(admin, null)).toEqual({ actor: 'admin:root' });
  });

  it('treats scoped roles and keys bound to a unit as scoped', () => {
    expect(isScopedCaller(manager, ['unit_manager'])).toBe(true);
    expect(isScopedCaller({ ...manager, role: 'integrator' }, ['unit_manager'])).toBe(true);
    expect(isScopedCaller({ ...manager, scopeUnitId: null }, ['unit_manager'])).toBe(true);
    expect(isScopedCaller(admin, ['unit_manager'])).toBe(false);
  });

  it('refuses units outside the scope with 403 AUTH.FORBIDDEN naming them', () => {
    expect(outOfScopeError(manager, ['bu-corporate'])).toMatchObject({
      code: 'AUTH.FORBIDDEN',
      message: 'This key may only act on units under "bu-retail".',
      details: { role: 'unit_manager', scopeUnitId: 'bu-retail', unitIds: ['bu-corporate'] },
      httpStatus: 403,
    });
  });
});
