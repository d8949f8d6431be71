import { isDimension } from '@plafond/contracts';
import type { Decider } from '@plafond/ledger';
import type { AccountTerms } from '../account/account.types';
import { unreachable } from '../shared/command';
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { has, lookup } from '../shared/records';
import {
  amountText,
  invalid,
  requireAmount,
  requireId,
  requireNow,
  requireText,
} from '../shared/values';
import { decideAllocation } from './allocate';
import { assertBudgetInvariants, evolveBudget, initialBudgetState } from './budget.evolve';
import type {
  BudgetCommand,
  BudgetEvent,
  BudgetState,
  LowerCeilingData,
  OpenBudgetData,
  TransferData,
} from './budget.types';
import { DEFAULT_THRESHOLDS_BASIS_POINTS } from './budget.types';
import { DEFAULT_TIME_ZONE, resolvePeriod } from './period';
import { planReclaim } from './reclaim';

type Decided = BudgetEvent[];

export function requireOpenBudget(state: BudgetState): void {
  if (state.status === 'none') refuse(DOMAIN_ERROR_CODES.budgetNotFound, 'budget not found', {});
  if (state.status === 'closed')
    refuse(DOMAIN_ERROR_CODES.periodClosed, `budget "${state.budgetId}" is closed`, {
      budgetId: state.budgetId,
    });
}

/** Not a type guard on purpose: narrowing `readonly number[]` with Array.isArray yields any[]. */
const isList = (value: unknown): boolean => Array.isArray(value);

export function validateThresholds(input: readonly number[]): number[] {
  if (!isList(input) || input.length > DOMAIN_LIMITS.thresholds)
    invalid('thresholdsBasisPoints', `must be an array of at most ${DOMAIN_LIMITS.thresholds}`);
  input.forEach((value, index) => {
    const previous = index === 0 ? 0 : (input[index - 1] as number);
    if (
      !Number.isSafeInteger(value) ||
      value <= previous ||
      value > DOMAIN_LIMITS.thresholdMaxBasisPoints
    )
      invalid('thresholdsBasisPoints', 'must be increasing integers in 1..100000');
  });
  return [...input];
}

function openBudget(state: BudgetState, data: OpenBudgetData): Decided {
  const budgetId = requireId(data.budgetId, 'budgetId');
  const perimeterUnitId = requireId(data.perimeterUnitId, 'perimeterUnitId');
  if (!isDimension(data.dimension)) invalid('dimension', 'is not a known dimension');
  const ceiling = requireAmount(data.ceiling, 'ceiling');
  const mode = data.mode ?? 'hard';
  if (mode !== 'hard' && mode !== 'soft') invalid('mode', 'must be hard or soft');
  const thresholdsBasisPoints = validateThresholds(
    data.thresholdsBasisPoints ?? DEFAULT_THRESHOLDS_BASIS_POINTS,
  );
  const period = resolvePeriod(data.period, data.timeZone ?? DEFAULT_TIME_ZONE);
  const opened = {
    budgetId,
    perimeterUnitId,
    dimension: data.dimension,
    period,
    ceiling: amountText(ceiling),
    mode,
    thresholdsBasisPoints,
  };
  if (state.status !== 'none') {
    const same =
      state.budgetId === budgetId &&
      state.perimeterUnitId === perimeterUnitId &&
      state.dimension === opened.dimension &&
      state.period?.key === period.key &&
      state.period.timeZone === period.timeZone;
    if (same) return []; // a retry (the ceiling may since have been lowered)
    refuse(DOMAIN_ERROR_CODES.budgetAlreadyExists, `budget "${state.budgetId}" already exists`, {
      budgetId: state.budgetId,
    });
  }
  return [{ type: 'BudgetOpened', data: opened }];
}

function lowerCeiling(state: BudgetState, data: LowerCeilingData): Decided {
  requireOpenBudget(state);
  const changeId = requireId(data.changeId, 'changeId');
  const ceiling = requireAmount(data.ceiling, 'ceiling');
  const reason =
    data.reason === undefined
      ? null
      : requireText(data.reason, 'reason', DOMAIN_LIMITS.reasonLength);
  const { budgetId } = state;
  if (ceiling > state.ceiling)
    refuse(
      DOMAIN_ERROR_CODES.ceilingRaiseForbidden,
      'the ceiling cannot be raised while the period is open',
      {
        budgetId,
        ceiling: state.ceiling.toString(),
        requested: ceiling.toString(),
      },
    );
  if (ceiling === state.ceiling) return [];
  const lowered = (allocated: bigint): BudgetEvent => ({
    type: 'CeilingLowered',
    data: {
      budgetId,
      previousCeiling: amountText(state.ceiling),
      ceiling: amountText(ceiling),
      allocated: amountText(allocated),
      reason,
    },
  });
  if (ceiling >= state.allocated) return [lowered(state.allocated)];
  const needed = state.allocated - ceiling;
  const context = { allocated: state.allocated, ceiling };
  if (data.reclaimUnused !== true)
    refuse(DOMAIN_ERROR_CODES.ceilingBelowAllocated, 'the new ceiling is below what is allocated', {
      budgetId,
      allocated: state.allocated.toString(),
      ceiling: ceiling.toString(),
      needed: needed.toString(),
    });
  const plan = planReclaim(state.units, data.unusedByUnit ?? {}, needed, context);
  const reclaims = plan.map((part) => ({
    unitId: part.unitId,
    amount: amountText(part.amount),
    unused: amountText(part.unused),
  }));
  return [
    {
      type: 'UnusedQuotaReclaimed',
      data: { budgetId, reclaimId: changeId, total: amountText(needed), reclaims },
    },
    lowered(ceiling),
  ];
}

function transferQuota(state: BudgetState, data: TransferData): Decided {
  requireOpenBudget(state);
  const transferId = requireId(data.transferId, 'transferId');
  const fromUnitId = requireId(data.fromUnitId, 'fromUnitId');
  const toUnitId = requireId(data.toUnitId, 'toUnitId');
  const amount = requireAmount(data.amount, 'amount', true);
  const reason = requireText(data.reason, 'reason', DOMAIN_LIMITS.reasonLength);
  const actor = requireText(data.actor, 'actor', DOMAIN_LIMITS.nameLength);
  if (fromUnitId === toUnitId)
    refuse(DOMAIN_ERROR_CODES.transferSameUnit, 'a transfer needs two different units', {
      unitId: fromUnitId,
    });
  for (const unitId of [fromUnitId, toUnitId])
    if (!has(state.units, unitId))
      refuse(
        DOMAIN_ERROR_CODES.transferUnitNotInBudget,
        `unit "${unitId}" has no allocation in this budget`,
        {
          unitId,
          budgetId: state.budgetId,
        },
      );
  const fromAllocated = lookup(state.units, fromUnitId) ?? 0n;
  if (amount > fromAllocated)
    refuse(DOMAIN_ERROR_CODES.insufficientUnused, 'the unit has less quota than the transfer', {
      unitId: fromUnitId,
      allocated: fromAllocated.toString(),
      requested: amount.toString(),
    });
  const data_ = {
    budgetId: state.budgetId,
    transferId,
    fromUnitId,
    toUnitId,
    amount: amountText(amount),
    reason,
    actor,
  };
  return [{ type: 'QuotaTransferred', data: data_ }];
}

function closePeriod(
  state: BudgetState,
  data: { closeEarly?: boolean; reason?: string },
  now: Date,
): Decided {
  if (state.status === 'none') refuse(DOMAIN_ERROR_CODES.budgetNotFound, 'budget not found', {});
  if (state.status === 'closed') return [];
  const endsAt = state.period?.endsAt ?? '';
  const closedEarly = now.getTime() < Date.parse(endsAt);
  if (closedEarly && data.closeEarly !== true)
    refuse(
      DOMAIN_ERROR_CODES.periodNotEnded,
      'the period has not ended; pass closeEarly with a reason',
      {
        budgetId: state.budgetId,
        endsAt,
      },
    );
  const reason =
    closedEarly || data.reason !== undefined
      ? requireText(data.reason, 'reason', DOMAIN_LIMITS.reasonLength)
      : null;
  const closed = {
    budgetId: state.budgetId,
    ceiling: amountText(state.ceiling),
    allocated: amountText(state.allocated),
    closedEarly,
    reason,
  };
  return [{ type: 'PeriodClosed', data: closed }];
}

function decide(command: BudgetCommand, state: BudgetState): Decided {
  const now = requireNow(command.metadata.now);
  switch (command.type) {
    case 'OpenBudget':
      return openBudget(state, command.data);
    case 'LowerCeiling':
      return lowerCeiling(state, command.data);
    case 'AllocateBudget':
      requireOpenBudget(state);
      return decideAllocation(state, command.data);
    case 'TransferQuota':
      return transferQuota(state, command.data);
    case 'ClosePeriod':
      return closePeriod(state, command.data, now);
    default:
      return unreachable(command, 'budget command');
  }
}

/** Decides, then folds its own events to assert the invariants on the write side too. */
export function decideBudget(command: BudgetCommand, state: BudgetState): Decided {
  assertBudgetInvariants(state);
  const events = decide(command, state);
  events.reduce(evolveBudget, state);
  return events;
}

/** What a unit's account needs to know about its budget (passed on the account's commands). */
export function accountTerms(state: BudgetState, unitId: string): AccountTerms {
  if (state.status === 'none') refuse(DOMAIN_ERROR_CODES.budgetNotFound, 'budget not found', {});
  return {
    budgetId: state.budgetId,
    unitId,
    dimension: state.dimension,
    mode: state.mode,
    thresholdsBasisPoints: state.thresholdsBasisPoints,
    periodEndsAt: state.period?.endsAt ?? '',
  };
}

export const budgetDecider: Decider<BudgetState, BudgetCommand, BudgetEvent> = {
  decide: decideBudget,
  evolve: evolveBudget,
  initialState: initialBudgetState,
};
