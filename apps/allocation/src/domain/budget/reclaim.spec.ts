import { planReclaim } from './reclaim';
import { caught } from '../testing/fixtures';

const context = { allocated: 1_000n, ceiling: 900n };

describe('planReclaim', () => {
  it('takes from each unit in proportion to its unused quota', () => {
    const plan = planReclaim({ a: 500n, b: 500n }, { a: 300n, b: 100n }, 100n, context);
    expect(plan).toEqual([
      { unitId: 'a', amount: 75n, unused: 300n },
      { unitId: 'b', amount: 25n, unused: 100n },
    ]);
  });

  it('sums exactly, giving rounding units to the largest remainders, ties by unit id', () => {
    const plan = planReclaim({ a: 10n, b: 10n, c: 10n }, { c: 10n, a: 10n, b: 10n }, 2n, context);
    expect(plan.map((part) => [part.unitId, part.amount])).toEqual([
      ['a', 1n],
      ['b', 1n],
    ]);
  });

  it('never takes more than a unit has unused, and can take all of it', () => {
    const plan = planReclaim({ a: 50n, b: 50n }, { a: 40n, b: 10n }, 50n, context);
    expect(plan.map((part) => part.amount)).toEqual([40n, 10n]);
  });

  it('refuses when the unused quota does not cover what is needed', () => {
    const error = caught(() => planReclaim({ a: 50n }, { a: 40n }, 41n, context));
    expect(error.code).toBe('BUDGET.CEILING_BELOW_ALLOCATED');
    expect(error.details).toMatchObject({ needed: '41', reclaimable: '40' });
  });

  it('refuses unused figures the budget cannot hold', () => {
    expect(caught(() => planReclaim({ a: 50n }, { z: 1n }, 1n, context)).code).toBe(
      'COMMAND.INVALID',
    );
    expect(caught(() => planReclaim({ a: 50n }, { a: 51n }, 1n, context)).code).toBe(
      'COMMAND.INVALID',
    );
  });
});
