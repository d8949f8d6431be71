import { accountStreamId } from '../domain';
import { parseAccountStreamId } from './account-streams';

describe('parseAccountStreamId', () => {
  it.each([
    ['energy-2026-03', 'team-search'],
    ['carbon:2026-03', 'web'],
    ['x', 'a:b'],
    ['a:b', 'c'],
    ['é-budget', 'unité'],
    ['b', ''],
  ])('reads back budget %j and unit %j', (budgetId, unitId) => {
    const streamId = accountStreamId(budgetId, unitId);
    expect(parseAccountStreamId(streamId)).toEqual({ streamId, budgetId, unitId });
  });

  it('tells apart ids that share a suffix', () => {
    // Unit "b" of budget "x:a", and unit "a:b" of budget "x".
    expect(parseAccountStreamId('account-3:x:a:b')).toMatchObject({ budgetId: 'x:a', unitId: 'b' });
    expect(parseAccountStreamId('account-1:x:a:b')).toMatchObject({ budgetId: 'x', unitId: 'a:b' });
  });

  it.each([
    'organisation',
    'budget-energy-2026-03',
    'account-',
    'account-x:b:u',
    'account-5:abc:u',
    'account-3:abcdu',
    'account-01:a:u',
    'account-99999999999:a:u',
  ])('refuses %j', (streamId) => {
    expect(parseAccountStreamId(streamId)).toBeNull();
  });
});
