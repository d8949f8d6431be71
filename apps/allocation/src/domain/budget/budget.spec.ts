import { DeciderSpecification } from '@plafond/ledger';
import {
  MID_PERIOD,
  allocate,
  allocatedEvents,
  budgetId,
  closed,
  funded,
  lower,
  openData,
  opened,
} from '../testing/budget.fixtures';
import { command } from '../testing/fixtures';
import { budgetDecider } from './budget.decide';
import { evolveBudget, initialBudgetState } from './budget.evolve';
import type { BudgetEvent } from './budget.types';
import { preview } from '../criteria';

const given = DeciderSpecification.for(budgetDecider);

describe('OpenBudget', () => {
  it('opens a monthly budget with default mode and thresholds; a retry changes nothing', () => {
    given([]).when(command('OpenBudget', openData)).then(opened);
    given(opened).when(command('OpenBudget', openData)).thenNothingHappened();
    given(opened)
      .when(command('OpenBudget', { ...openData, perimeterUnitId: 'other' }))
      .thenThrows('BUDGET.ALREADY_EXISTS');
  });

  it('refuses bad time zones, dimensions and thresholds', () => {
    given([])
      .when(command('OpenBudget', { ...openData, timeZone: 'Nowhere/Land' }))
      .thenThrows('BUDGET.TIME_ZONE_INVALID');
    given([])
      .when(command('OpenBudget', { ...openData, dimension: 'gold' as never }))
      .thenThrows('COMMAND.INVALID');
    given([])
      .when(command('OpenBudget', { ...openData, thresholdsBasisPoints: [8_000, 5_000] }))
      .thenThrows('COMMAND.INVALID');
  });
});

describe('LowerCeiling', () => {
  it('never raises the ceiling while the period is open', () => {
    given(opened).when(lower(1_001n)).thenThrows('BUDGET.CEILING_RAISE_FORBIDDEN');
    given(opened).when(lower(1_000n)).thenNothingHappened();
  });

  it('lowers down to what is allocated', () => {
    const lowered: BudgetEvent = {
      type: 'CeilingLowered',
      data: { budgetId, previousCeiling: '1000', ceiling: '600', allocated: '0', reason: null },
    };
    given(opened).when(lower(600n)).then(lowered);
  });

  it('refuses to go below what is allocated unless unused quota is reclaimed', () => {
    given(funded).when(lower(900n)).thenThrows('BUDGET.CEILING_BELOW_ALLOCATED');
    given(funded)
      .when(
        lower(900n, {
          reclaimUnused: true,
          unusedByUnit: { sales: 300n, rnd: 100n, acme: 0n },
          reason: 'grid emergency',
        }),
      )
      .then([
        {
          type: 'UnusedQuotaReclaimed',
          data: {
            budgetId,
            reclaimId: 'c1',
            total: '100',
            reclaims: [
              { unitId: 'sales', amount: '75', unused: '300' },
              { unitId: 'rnd', amount: '25', unused: '100' },
            ],
          },
        },
        {
          type: 'CeilingLowered',
          data: {
            budgetId,
            previousCeiling: '1000',
            ceiling: '900',
            allocated: '900',
            reason: 'grid emergency',
          },
        },
      ]);
    given(funded)
      .when(lower(500n, { reclaimUnused: true, unusedByUnit: { sales: 300n } }))
      .thenThrows('BUDGET.CEILING_BELOW_ALLOCATED');
  });

  it('refuses a closed budget and an unknown one', () => {
    given([...funded, closed])
      .when(lower(10n))
      .thenThrows('BUDGET.PERIOD_CLOSED');
    given([]).when(lower(10n)).thenThrows('BUDGET.NOT_FOUND');
  });
});

describe('AllocateBudget', () => {
  it("stores each unit's allocation with its explanation; parents keep their pools", () => {
    given(opened).when(allocate('round-1')).then(allocatedEvents);
    given(funded).when(allocate('round-1')).thenNothingHappened();
  });

  it('refuses another amount under the same id, a preview past the ceiling, or from another root', () => {
    given(opened).when(allocate('round-1', 1_001n)).thenThrows('BUDGET.ALLOCATION_EXCEEDS_CEILING');
    given(funded).when(allocate('round-1', 900n)).thenThrows('IDEMPOTENCY.CONFLICT');
    given(funded).when(allocate('round-2', 900n)).thenThrows('BUDGET.ALLOCATION_EXCEEDS_CEILING');
    given(opened)
      .when(allocate('round-1', 1_000n, 'other-root'))
      .thenThrows('BUDGET.ALLOCATION_ROOT_MISMATCH');
  });

  it('bounds the number of allocation rounds: BUDGET.ALLOCATION_LIMIT_EXCEEDED', () => {
    const rounds: BudgetEvent[] = Array.from({ length: 100 }, (_, index) => ({
      type: 'BudgetAllocated',
      data: {
        budgetId,
        allocationId: `r${index}`,
        amount: '0',
        unitCount: 0,
        parts: 0,
        policies: null,
      },
    }));
    given([opened, ...rounds])
      .when(allocate('one-more'))
      .thenThrows('BUDGET.ALLOCATION_LIMIT_EXCEEDED');
  });

  it('splits a large tree over several UnitsAllocated events', () => {
    const children = Array.from({ length: 450 }, (_, index) => ({
      unitId: `t${String(index).padStart(3, '0')}`,
      attributes: { headcount: 1n },
    }));
    const result = preview(
      { unitId: 'acme', children },
      {
        acme: {
          rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10_000 }] },
        },
      },
      1_000n,
    );
    if (!result.ok) throw new Error(result.error.message);
    const events = budgetDecider.decide(
      command(
        'AllocateBudget',
        { allocationId: 'big', preview: result.value, policies: null },
        MID_PERIOD,
      ),
      evolveBudget(initialBudgetState(), opened),
    );
    expect(
      (events as BudgetEvent[]).map((event) =>
        event.type === 'UnitsAllocated' ? event.data.units.length : event.type,
      ),
    ).toEqual(['BudgetAllocated', 200, 200, 51]);
    const state = (events as BudgetEvent[]).reduce(
      evolveBudget,
      evolveBudget(initialBudgetState(), opened),
    );
    expect([state.allocated, state.unitsTotal]).toEqual([1_000n, 1_000n]);
  });
});
