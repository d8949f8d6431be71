// The balance read model as a pure fold over account events: one row per (budget, unit), and
// the same rows rolled up the unit tree. A projection stores the rows; replaying the events
// from the start must give the same rows (the replay digest compares them).
import type { AccountEvent } from '../account/account.types';
import type { SubtreeNode } from '../organisation/organisation.queries';
import { unreachable } from '../shared/command';
import { invariant } from '../shared/domain-error';
import { amountOf } from '../shared/values';

export interface BalanceTotals {
  allocated: bigint;
  reserved: bigint;
  committed: bigint;
  /** allocated − reserved − committed within the allocation (never negative). */
  available: bigint;
  overrun: bigint;
}

export interface UnitBalance extends BalanceTotals {
  budgetId: string;
  unitId: string;
  blocked: boolean;
  closed: boolean;
}

export interface RolledUpBalance {
  unitId: string;
  own: BalanceTotals;
  /** The unit and everything below it. */
  subtree: BalanceTotals;
}

export const ZERO_TOTALS: BalanceTotals = {
  allocated: 0n,
  reserved: 0n,
  committed: 0n,
  available: 0n,
  overrun: 0n,
};

function withAvailable(balance: UnitBalance): UnitBalance {
  const available = balance.allocated - (balance.committed - balance.overrun) - balance.reserved;
  invariant(available >= 0n, 'balance has negative availability', { unitId: balance.unitId });
  return { ...balance, available };
}

/** One account event on its unit's row; `null` before the account is opened. */
export function evolveUnitBalance(balance: UnitBalance | null, event: AccountEvent): UnitBalance {
  if (event.type === 'AccountOpened') {
    invariant(balance === null, 'balance opened twice', { unitId: event.data.unitId });
    return {
      ...ZERO_TOTALS,
      budgetId: event.data.budgetId,
      unitId: event.data.unitId,
      blocked: false,
      closed: false,
    };
  }
  invariant(balance !== null, 'account event before AccountOpened', { unitId: event.data.unitId });
  const amount = (text: string) => amountOf(text, event.type);
  switch (event.type) {
    case 'QuotaAllocated':
    case 'QuotaTransferredIn':
      return withAvailable({
        ...balance,
        allocated: balance.allocated + amount(event.data.amount),
      });
    case 'QuotaTransferredOut':
    case 'QuotaReclaimed':
      return withAvailable({
        ...balance,
        allocated: balance.allocated - amount(event.data.amount),
      });
    case 'QuotaReserved':
      return withAvailable({ ...balance, reserved: balance.reserved + amount(event.data.amount) });
    case 'ReservationCommitted':
      return withAvailable({
        ...balance,
        reserved: balance.reserved - amount(event.data.reservedAmount),
        committed: balance.committed + amount(event.data.committedAmount),
      });
    case 'ReservationReleased':
    case 'ReservationExpired':
      return withAvailable({ ...balance, reserved: balance.reserved - amount(event.data.amount) });
    case 'UsageDebited':
      return withAvailable({
        ...balance,
        committed: balance.committed + amount(event.data.amount),
        overrun: balance.overrun + amount(event.data.overrunAmount),
      });
    case 'UnitBlocked':
    case 'UnitUnblocked':
      return { ...balance, blocked: event.type === 'UnitBlocked' };
    case 'AccountClosed':
      return { ...balance, closed: true, blocked: false };
    case 'OverrunRecorded':
    case 'ThresholdCrossed':
      return balance;
    default:
      return unreachable(event, 'account event');
  }
}

const balanceKey = (budgetId: string, unitId: string): string => JSON.stringify([budgetId, unitId]);

/** Folds events of many accounts (each names its budget and unit) into rows keyed by budget, then unit. */
export function foldBalances(
  events: Iterable<AccountEvent>,
): Map<string, Map<string, UnitBalance>> {
  const rows = new Map<string, UnitBalance>();
  for (const event of events) {
    const key = balanceKey(event.data.budgetId, event.data.unitId);
    rows.set(key, evolveUnitBalance(rows.get(key) ?? null, event));
  }
  const byBudget = new Map<string, Map<string, UnitBalance>>();
  for (const row of rows.values()) {
    const units = byBudget.get(row.budgetId) ?? new Map<string, UnitBalance>();
    units.set(row.unitId, row);
    byBudget.set(row.budgetId, units);
  }
  return byBudget;
}

const add = (a: BalanceTotals, b: BalanceTotals): BalanceTotals => ({
  allocated: a.allocated + b.allocated,
  reserved: a.reserved + b.reserved,
  committed: a.committed + b.committed,
  available: a.available + b.available,
  overrun: a.overrun + b.overrun,
});

const totalsOf = (balance: UnitBalance | undefined): BalanceTotals =>
  balance === undefined
    ? ZERO_TOTALS
    : {
        allocated: balance.allocated,
        reserved: balance.reserved,
        committed: balance.committed,
        available: balance.available,
        overrun: balance.overrun,
      };

/** Each unit of the tree with its own totals and its subtree's, children before parents. */
export function rollUpBalances(
  tree: SubtreeNode,
  balances: ReadonlyMap<string, UnitBalance>,
): Map<string, RolledUpBalance> {
  const order: SubtreeNode[] = [];
  const stack: SubtreeNode[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as SubtreeNode;
    order.push(node);
    stack.push(...node.children);
  }
  const result = new Map<string, RolledUpBalance>();
  // Reverse pre-order visits every child before its parent.
  for (let index = order.length - 1; index >= 0; index -= 1) {
    const node = order[index] as SubtreeNode;
    const own = totalsOf(balances.get(node.unitId));
    const subtree = node.children.reduce(
      (sum, child) => add(sum, result.get(child.unitId)?.subtree ?? ZERO_TOTALS),
      own,
    );
    result.set(node.unitId, { unitId: node.unitId, own, subtree });
  }
  return result;
}
