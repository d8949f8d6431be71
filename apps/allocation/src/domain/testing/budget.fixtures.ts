// Budget events and commands shared by the budget decider specs.
import type { AllocationPolicy, TreeAllocation } from '../criteria';
import { preview } from '../criteria';
import type { BudgetEvent, OpenBudgetData } from '../budget/budget.types';
import { command } from './fixtures';

export const budgetId = 'b-2026-03';
export const MID_PERIOD = new Date('2026-03-10T12:00:00Z');
export const AFTER_PERIOD = new Date('2026-04-01T00:00:00Z');

export const openData: OpenBudgetData = {
  budgetId,
  perimeterUnitId: 'acme',
  dimension: 'energy',
  period: { kind: 'month', month: '2026-03' },
  ceiling: 1_000n,
};
export const opened: BudgetEvent = {
  type: 'BudgetOpened',
  data: {
    budgetId,
    perimeterUnitId: 'acme',
    dimension: 'energy',
    period: {
      kind: 'month',
      key: '2026-03',
      timeZone: 'UTC',
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
    },
    ceiling: '1000',
    mode: 'hard',
    thresholdsBasisPoints: [5_000, 8_000, 10_000],
  },
};

export const policy: AllocationPolicy = {
  contingency: { basisPoints: 1_000 },
  rule: {
    kind: 'static',
    members: [
      { childId: 'sales', amount: 500n },
      { childId: 'rnd', amount: 300n },
    ],
  },
};
export function previewOf(amount: bigint, rootId = 'acme'): TreeAllocation {
  const result = preview(
    { unitId: rootId, children: [{ unitId: 'sales' }, { unitId: 'rnd' }] },
    { [rootId]: policy },
    amount,
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
export const allocate = (allocationId: string, amount = 1_000n, rootId = 'acme') =>
  command(
    'AllocateBudget',
    { allocationId, preview: previewOf(amount, rootId), policies: { acme: 'static' } },
    MID_PERIOD,
  );
export const staticPart = (amount: string) => ({
  contributions: [{ criterion: 'static' as const, amount }],
  boundBy: null,
});
export const allocatedEvents: BudgetEvent[] = [
  {
    type: 'BudgetAllocated',
    data: {
      budgetId,
      allocationId: 'round-1',
      amount: '1000',
      unitCount: 3,
      parts: 1,
      policies: { acme: 'static' },
    },
  },
  {
    type: 'UnitsAllocated',
    data: {
      budgetId,
      allocationId: 'round-1',
      part: 0,
      units: [
        {
          unitId: 'acme',
          parentId: null,
          depth: 0,
          amount: '1000',
          explanation: null,
          split: {
            criterion: 'static' as const,
            heldBack: '100',
            unallocated: '100',
            unallocatedReasons: ['STATIC_REMAINDER'],
          },
          spendable: '200',
        },
        {
          unitId: 'sales',
          parentId: 'acme',
          depth: 1,
          amount: '500',
          explanation: staticPart('500'),
          split: null,
          spendable: '500',
        },
        {
          unitId: 'rnd',
          parentId: 'acme',
          depth: 1,
          amount: '300',
          explanation: staticPart('300'),
          split: null,
          spendable: '300',
        },
      ],
    },
  },
];
export const funded = [opened, ...allocatedEvents];
export const closed: BudgetEvent = {
  type: 'PeriodClosed',
  data: { budgetId, ceiling: '1000', allocated: '1000', closedEarly: false, reason: null },
};
export const lower = (ceiling: bigint, extra: object = {}) =>
  command('LowerCeiling', { changeId: 'c1', ceiling, ...extra }, MID_PERIOD);
export const transfer = (amount: bigint, fromUnitId = 'sales', toUnitId = 'rnd') =>
  command(
    'TransferQuota',
    { transferId: 't1', fromUnitId, toUnitId, amount, reason: 'project moved', actor: 'alice' },
    MID_PERIOD,
  );
