import { DeciderSpecification } from '@plafond/ledger';
import {
  AFTER_PERIOD,
  MID_PERIOD,
  budgetId,
  closed,
  funded,
  transfer,
} from '../testing/budget.fixtures';
import { caught, command } from '../testing/fixtures';
import { accountTerms, budgetDecider } from './budget.decide';
import { evolveBudget, initialBudgetState } from './budget.evolve';
import type { BudgetEvent } from './budget.types';

const given = DeciderSpecification.for(budgetDecider);

describe('TransferQuota', () => {
  it('moves quota between two units of the budget; totals are conserved', () => {
    const transferred: BudgetEvent = {
      type: 'QuotaTransferred',
      data: {
        budgetId,
        transferId: 't1',
        fromUnitId: 'sales',
        toUnitId: 'rnd',
        amount: '200',
        reason: 'project moved',
        actor: 'alice',
      },
    };
    given(funded).when(transfer(200n)).then(transferred);
    const state = [...funded, transferred].reduce(evolveBudget, initialBudgetState());
    expect([state.units.sales, state.units.rnd, state.unitsTotal, state.allocated]).toEqual([
      300n,
      500n,
      1_000n,
      1_000n,
    ]);
  });

  it('refuses the same unit, a unit outside the budget, more than the unit holds, and a closed period', () => {
    given(funded)
      .when(transfer(1n, 'sales', 'sales'))
      .thenThrows('TRANSFER.SAME_UNIT');
    given(funded)
      .when(transfer(1n, 'sales', 'ghost'))
      .thenThrows('TRANSFER.UNIT_NOT_IN_BUDGET');
    given(funded).when(transfer(501n)).thenThrows('TRANSFER.INSUFFICIENT_UNUSED');
    given([...funded, closed])
      .when(transfer(1n))
      .thenThrows('BUDGET.PERIOD_CLOSED');
  });
});

describe('ClosePeriod', () => {
  it('closes after the period ends, once', () => {
    given(funded)
      .when(command('ClosePeriod', {}, AFTER_PERIOD))
      .then(closed);
    given([...funded, closed])
      .when(command('ClosePeriod', {}, AFTER_PERIOD))
      .thenNothingHappened();
  });

  it('closes early only when asked to, with a reason', () => {
    given(funded)
      .when(command('ClosePeriod', {}, MID_PERIOD))
      .thenThrows('BUDGET.PERIOD_NOT_ENDED');
    given(funded)
      .when(command('ClosePeriod', { closeEarly: true }, MID_PERIOD))
      .thenThrows('COMMAND.INVALID');
    given(funded)
      .when(command('ClosePeriod', { closeEarly: true, reason: 'reorganisation' }, MID_PERIOD))
      .then({
        ...closed,
        data: { ...closed.data, closedEarly: true, reason: 'reorganisation' },
      } as BudgetEvent);
  });
});

describe('accountTerms', () => {
  it('gives an account what it needs to know about its budget', () => {
    const state = funded.reduce(evolveBudget, initialBudgetState());
    expect(accountTerms(state, 'sales')).toEqual({
      budgetId,
      unitId: 'sales',
      dimension: 'energy',
      mode: 'hard',
      thresholdsBasisPoints: [5_000, 8_000, 10_000],
      periodEndsAt: '2026-04-01T00:00:00.000Z',
    });
    expect(caught(() => accountTerms(initialBudgetState(), 'sales')).code).toBe('BUDGET.NOT_FOUND');
  });
});
