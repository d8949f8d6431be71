import { caught } from '../testing/fixtures';
import type { ClassRuleFigures } from './class-rule';
import { checkClassRule } from './class-rule';

const figures = (overrides: Partial<ClassRuleFigures> = {}): ClassRuleFigures => ({
  allocated: 1_000n,
  usedInAllocation: 500n,
  classUsed: 100n,
  available: 500n,
  amount: 100n,
  ...overrides,
});

describe('checkClassRule', () => {
  it('lets an unrestricted class through', () => {
    expect(() => checkClassRule('essential', { kind: 'allowed' }, figures())).not.toThrow();
  });

  it('refuses a prohibited class whatever is available', () => {
    const error = caught(() => checkClassRule('toys', { kind: 'prohibited' }, figures()));
    expect([error.code, error.details.available]).toEqual(['USECASE.PROHIBITED', '500']);
  });

  it('caps a class at a share of the allocation, rounded down', () => {
    const rule = { kind: 'allowed' as const, capShareBasisPoints: 2_005 }; // 200.5 → 200
    expect(() => checkClassRule('std', rule, figures({ amount: 100n }))).not.toThrow();
    const error = caught(() => checkClassRule('std', rule, figures({ amount: 101n })));
    expect(error.code).toBe('USECASE.CLASS_CAP_EXCEEDED');
    expect(error.details).toMatchObject({ cap: '200', classAvailable: '100', requested: '101' });
    expect(
      caught(() => checkClassRule('std', rule, figures({ classUsed: 300n, amount: 1n }))).details
        .classAvailable,
    ).toBe('0');
  });

  it('sheds a class above a utilisation level', () => {
    const rule = { kind: 'allowed' as const, shedAboveUtilisationBasisPoints: 6_000 };
    expect(() => checkClassRule('disc', rule, figures({ amount: 100n }))).not.toThrow();
    expect(caught(() => checkClassRule('disc', rule, figures({ amount: 101n }))).code).toBe(
      'USECASE.SHED_ABOVE_UTILISATION',
    );
    expect(
      caught(() =>
        checkClassRule('disc', rule, figures({ allocated: 0n, usedInAllocation: 0n, amount: 1n })),
      ).code,
    ).toBe('USECASE.SHED_ABOVE_UTILISATION');
  });
});
