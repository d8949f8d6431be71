// Balances computed strongly from the ledger: the budget, the organisation and every account the
// answer needs are folded at the same asOf inside one database snapshot (see consistent-read.ts).
// Exact at once after a commit, with time travel; the unit_balances projection is the cheap,
// eventually consistent copy of the same fold.
import { Injectable, Optional } from '@nestjs/common';
import { PostgresEventStore, type AsOf } from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import {
  DOMAIN_ERROR_CODES,
  DOMAIN_LIMITS,
  ORGANISATION_STREAM_ID,
  ZERO_TOTALS,
  accountStreamId,
  budgetStreamId,
  evolveBudget,
  evolveOrganisation,
  evolveUnitBalance,
  initialBudgetState,
  initialOrganisationState,
  isInSubtree,
  refuse,
  rollUpBalances,
  subtree,
  type AccountEvent,
  type BalanceTotals,
  type BudgetEvent,
  type BudgetState,
  type OrganisationEvent,
  type OrganisationState,
  type SubtreeNode,
  type UnitBalance,
} from '../domain';
import { accountStreamsOfBudget } from './account-streams';
import {
  figuresOf,
  unitFigures,
  type BudgetBalancesReport,
  type UnitBalanceFigures,
  type UnitBalanceReport,
} from './balance.views';
import {
  describeAsOf,
  readConsistently,
  type ConsistentRead,
  type StreamFold,
} from './consistent-read';

export interface BalanceQueryOptions {
  /** A global position (inclusive) or an instant (recorded-at, inclusive); absent = now. */
  asOf?: AsOf;
}

export interface UnitBalanceOptions extends BalanceQueryOptions {
  /** Also sum the unit's subtree (`subtree` in the answer). */
  rollUp: boolean;
}

// Snapshot names of the read side's folds: not shared with the write side's (`account.v1`...),
// whose states differ. Bump the version when the state shape or the evolve function changes.
export const BUDGET_READ_FOLD: StreamFold<BudgetState, BudgetEvent> = {
  snapshotName: 'read.budget.v1',
  evolve: evolveBudget,
  initialState: initialBudgetState,
};
export const ORGANISATION_READ_FOLD: StreamFold<OrganisationState, OrganisationEvent> = {
  snapshotName: 'read.organisation.v1',
  evolve: evolveOrganisation,
  initialState: initialOrganisationState,
};
export const BALANCE_READ_FOLD: StreamFold<UnitBalance | null, AccountEvent> = {
  snapshotName: 'read.unit-balance.v1',
  evolve: evolveUnitBalance,
  initialState: () => null,
};

const validId = (id: string): boolean => id.length > 0 && id.length <= DOMAIN_LIMITS.idLength;

const totalsOf = (balance: UnitBalance): BalanceTotals => ({
  allocated: balance.allocated,
  reserved: balance.reserved,
  committed: balance.committed,
  available: balance.available,
  overrun: balance.overrun,
});

const addTotals = (a: BalanceTotals, b: BalanceTotals): BalanceTotals => ({
  allocated: a.allocated + b.allocated,
  reserved: a.reserved + b.reserved,
  committed: a.committed + b.committed,
  available: a.available + b.available,
  overrun: a.overrun + b.overrun,
});

/** Parents before children (the order a tree is shown in). */
export function preOrder(tree: SubtreeNode): SubtreeNode[] {
  const order: SubtreeNode[] = [];
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as SubtreeNode;
    order.push(node);
    for (let index = node.children.length - 1; index >= 0; index -= 1)
      stack.push(node.children[index] as SubtreeNode);
  }
  return order;
}

/** The ids of every unit of the tree. */
export function unitsOf(tree: SubtreeNode): Set<string> {
  return new Set(preOrder(tree).map((node) => node.unitId));
}

/** The budget at the read's asOf; `BUDGET.NOT_FOUND` if it was not opened by then. */
export async function requireBudget(read: ConsistentRead, budgetId: string): Promise<BudgetState> {
  if (validId(budgetId)) {
    const { state } = await read.load(budgetStreamId(budgetId), BUDGET_READ_FOLD);
    if (state.status !== 'none') return state;
  }
  return refuse(DOMAIN_ERROR_CODES.budgetNotFound, `budget "${budgetId}" not found`, {
    budgetId,
  });
}

/** `UNIT.NOT_FOUND` unless the unit is in the organisation. */
export function requireUnit(organisation: OrganisationState, unitId: string): void {
  if (!validId(unitId) || !Object.hasOwn(organisation.units, unitId))
    refuse(DOMAIN_ERROR_CODES.unitNotFound, `unit "${unitId}" not found`, { unitId });
}

/** UNIT.NOT_IN_BUDGET for a unit outside the perimeter that holds no account in the budget. */
export function requireInBudget(
  organisation: OrganisationState,
  budget: BudgetState,
  unitId: string,
  hasAccount: boolean,
): void {
  const perimeter = budget.perimeterUnitId;
  const inPerimeter =
    Object.hasOwn(organisation.units, perimeter) && isInSubtree(organisation, perimeter, unitId);
  if (!inPerimeter && !hasAccount)
    refuse(
      DOMAIN_ERROR_CODES.unitNotInBudget,
      `unit "${unitId}" is not in budget "${budget.budgetId}"`,
      { budgetId: budget.budgetId, unitId, perimeterUnitId: perimeter },
    );
}

/** Units of the tree that hold an account or have a descendant that does. */
function unitsWithAccounts(
  tree: SubtreeNode,
  balances: ReadonlyMap<string, UnitBalance>,
): Set<string> {
  const found = new Set<string>();
  const order = preOrder(tree);
  for (let index = order.length - 1; index >= 0; index -= 1) {
    const node = order[index] as SubtreeNode;
    if (balances.has(node.unitId) || node.children.some((child) => found.has(child.unitId)))
      found.add(node.unitId);
  }
  return found;
}

@Injectable()
export class BalanceQueries {
  constructor(
    private readonly store: PostgresEventStore,
    @Optional() private readonly logger?: JsonLogger,
  ) {}

  /**
   * One unit's balance in one budget: its own account and, with `rollUp`, its subtree's.
   * `BUDGET.NOT_FOUND` (no such budget at asOf), `UNIT.NOT_FOUND` (no such unit at asOf),
   * `UNIT.NOT_IN_BUDGET` (outside the perimeter and without an account in the budget). A unit of
   * the perimeter without an account yet has zero figures.
   */
  async unitBalance(
    budgetId: string,
    unitId: string,
    options: UnitBalanceOptions,
  ): Promise<UnitBalanceReport> {
    return this.read(options.asOf, async (read) => {
      const budget = await requireBudget(read, budgetId);
      const organisation = (await read.load(ORGANISATION_STREAM_ID, ORGANISATION_READ_FOLD)).state;
      requireUnit(organisation, unitId);
      const own = await this.loadBalance(read, budgetId, unitId);
      requireInBudget(organisation, budget, unitId, own !== null);
      let subtreeTotals: BalanceTotals | undefined;
      if (options.rollUp) {
        const tree = subtree(organisation, unitId, { includeArchived: true });
        const balances = await this.loadAccounts(read, budgetId, unitsOf(tree));
        subtreeTotals = rollUpBalances(tree, balances).get(unitId)?.subtree ?? ZERO_TOTALS;
      }
      return {
        ...unitFigures(
          budgetId,
          unitId,
          own ?? undefined,
          own === null ? ZERO_TOTALS : totalsOf(own),
          subtreeTotals,
        ),
        dimension: budget.dimension,
        asOf: describeAsOf(options.asOf),
      };
    });
  }

  /** Every unit of a budget with its own and rolled-up figures, and the budget's totals. */
  async budgetBalances(
    budgetId: string,
    options: BalanceQueryOptions = {},
  ): Promise<BudgetBalancesReport> {
    return this.read(options.asOf, async (read) => {
      const budget = await requireBudget(read, budgetId);
      const organisation = (await read.load(ORGANISATION_STREAM_ID, ORGANISATION_READ_FOLD)).state;
      const balances = await this.loadAccounts(read, budgetId);
      const perimeter = budget.perimeterUnitId;
      const tree = Object.hasOwn(organisation.units, perimeter)
        ? subtree(organisation, perimeter, { includeArchived: true })
        : null;
      const units: UnitBalanceFigures[] = [];
      const listed = new Set<string>();
      if (tree !== null) {
        const rolled = rollUpBalances(tree, balances);
        const withAccounts = unitsWithAccounts(tree, balances);
        for (const node of preOrder(tree)) {
          listed.add(node.unitId);
          if (node.archived && !withAccounts.has(node.unitId)) continue;
          const figures = rolled.get(node.unitId);
          units.push(
            unitFigures(
              budgetId,
              node.unitId,
              balances.get(node.unitId),
              figures?.own ?? ZERO_TOTALS,
              figures?.subtree ?? ZERO_TOTALS,
            ),
          );
        }
      }
      // Accounts of units moved out of the perimeter (or gone from the tree at asOf).
      const outside = [...balances.keys()].filter((unitId) => !listed.has(unitId)).sort();
      for (const unitId of outside) {
        const balance = balances.get(unitId) as UnitBalance;
        const own = totalsOf(balance);
        const rolled = Object.hasOwn(organisation.units, unitId)
          ? rollUpBalances(subtree(organisation, unitId, { includeArchived: true }), balances).get(
              unitId,
            )?.subtree
          : undefined;
        units.push(unitFigures(budgetId, unitId, balance, own, rolled ?? own));
      }
      let totals = ZERO_TOTALS;
      for (const balance of balances.values()) totals = addTotals(totals, totalsOf(balance));
      return {
        budgetId,
        perimeterUnitId: perimeter,
        dimension: budget.dimension,
        status: budget.status === 'closed' ? 'closed' : 'open',
        asOf: describeAsOf(options.asOf),
        totals: figuresOf(totals),
        units,
      };
    });
  }

  private read<T>(asOf: AsOf | undefined, work: (read: ConsistentRead) => Promise<T>): Promise<T> {
    return readConsistently(this.store, asOf, work, (streamId, error) =>
      this.logger?.write(
        'warn',
        'balance snapshot refresh failed',
        { streamId, err: error },
        'Read',
      ),
    );
  }

  private async loadBalance(
    read: ConsistentRead,
    budgetId: string,
    unitId: string,
  ): Promise<UnitBalance | null> {
    return (await read.load(accountStreamId(budgetId, unitId), BALANCE_READ_FOLD)).state;
  }

  /**
   * The budget's accounts (optionally only those of `units`) found in the ledger's streams table,
   * each folded at the read's asOf; accounts opened after asOf are left out.
   */
  private async loadAccounts(
    read: ConsistentRead,
    budgetId: string,
    units?: ReadonlySet<string>,
  ): Promise<Map<string, UnitBalance>> {
    const streams = await accountStreamsOfBudget(read.tx.sql, this.store.schema, budgetId);
    const balances = new Map<string, UnitBalance>();
    for (const { streamId, unitId } of streams) {
      if (units !== undefined && !units.has(unitId)) continue;
      const { state } = await read.load(streamId, BALANCE_READ_FOLD);
      if (state !== null) balances.set(unitId, state);
    }
    return balances;
  }
}
