import { isPermitted, pathMatches } from './permissions';

describe('permission matching', () => {
  const permissions = [
    { method: 'GET', path: '/v1/budgets/{budgetId}/balances' },
    { method: 'POST', path: '/v1/budgets/{budgetId}/preview' },
    { method: 'GET', path: '/v1/budgets' },
  ];

  it('matches {param} segments against concrete values and templates', () => {
    expect(pathMatches('/v1/budgets/{budgetId}/balances', '/v1/budgets/b-1/balances')).toBe(true);
    expect(pathMatches('/v1/budgets/{budgetId}/balances', '/v1/budgets/{id}/balances')).toBe(true);
    expect(pathMatches('/v1/budgets/{budgetId}/balances', '/v1/budgets/b-1/balances?asOf=x')).toBe(
      true,
    );
    expect(pathMatches('/v1/budgets/{budgetId}/balances', '/v1/budgets/balances')).toBe(false);
    expect(pathMatches('/v1/budgets/{budgetId}/balances', '/v1/budgets/b/balances/x')).toBe(false);
    expect(pathMatches('/v1/budgets', '/v1/budgets/')).toBe(true);
    expect(pathMatches('/v1/units/{unitId}', '/v1/units/a%20b')).toBe(true);
  });

  it('needs the method and the path to match', () => {
    expect(isPermitted(permissions, 'get', '/v1/budgets/x/balances')).toBe(true);
    expect(isPermitted(permissions, 'POST', '/v1/budgets/x/balances')).toBe(false);
    expect(isPermitted(permissions, 'POST', '/v1/budgets/x/preview')).toBe(true);
    expect(isPermitted(permissions, 'POST', '/v1/budgets/x/allocations')).toBe(false);
    expect(isPermitted(undefined, 'GET', '/v1/budgets')).toBe(false);
    expect(isPermitted([], 'GET', '/v1/budgets')).toBe(false);
  });
});
