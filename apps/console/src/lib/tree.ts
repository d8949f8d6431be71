// The unit tree with balances, as rows of a tree table: flattening with collapsed branches,
// roll-up of own figures (BigInt), and the marks a branch carries (blocked / overrun below).
import type { BalanceFigures, UnitBalance, UnitNode } from '../api/types';
import { toBig } from './format';

export const FIGURES = ['allocated', 'reserved', 'committed', 'available', 'overrun'] as const;
export type Figure = (typeof FIGURES)[number];

export interface TreeRow {
  unitId: string;
  name: string;
  parentId: string | null;
  depth: number;
  /** 1-based position among siblings and their count (aria-posinset / aria-setsize). */
  position: number;
  siblings: number;
  hasChildren: boolean;
  expanded: boolean;
  archived: boolean;
  own: UnitBalance | undefined;
  /** Rolled up over the subtree: the service's `subtree`, else summed here. */
  rolledUp: BalanceFigures | undefined;
  blocked: boolean;
  overrun: boolean;
  /** Some unit below this one (not itself) is blocked / overrun. */
  blockedBelow: boolean;
  overrunBelow: boolean;
}

/** The subtree rooted at `unitId`, or undefined. */
export function findUnit(root: UnitNode, unitId: string): UnitNode | undefined {
  if (root.unitId === unitId) return root;
  for (const child of root.children) {
    const found = findUnit(child, unitId);
    if (found) return found;
  }
  return undefined;
}

export function allUnitIds(root: UnitNode): string[] {
  const ids: string[] = [];
  const walk = (node: UnitNode) => {
    ids.push(node.unitId);
    node.children.forEach(walk);
  };
  walk(root);
  return ids;
}

/** Σ of the own figures over each unit's subtree (exact, BigInt), keyed by unit id. */
export function rollUp(
  root: UnitNode,
  own: ReadonlyMap<string, BalanceFigures>,
): Map<string, BalanceFigures> {
  const result = new Map<string, BalanceFigures>();
  const walk = (node: UnitNode): Record<Figure, bigint> => {
    const mine = own.get(node.unitId);
    const totals = Object.fromEntries(
      FIGURES.map((figure) => [figure, mine ? toBig(mine[figure]) : 0n]),
    ) as Record<Figure, bigint>;
    for (const child of node.children) {
      const sub = walk(child);
      for (const figure of FIGURES) totals[figure] += sub[figure];
    }
    result.set(node.unitId, {
      allocated: totals.allocated.toString(),
      reserved: totals.reserved.toString(),
      committed: totals.committed.toString(),
      available: totals.available.toString(),
      overrun: totals.overrun.toString(),
    });
    return totals;
  };
  walk(root);
  return result;
}

function isOverrun(figures: BalanceFigures | undefined): boolean {
  return figures !== undefined && toBig(figures.overrun) > 0n;
}

/**
 * The visible rows, depth-first, children of collapsed units left out. `expanded` names the
 * open units; units not in it are collapsed (the root is always shown).
 */
export function flattenTree(
  root: UnitNode,
  balances: readonly UnitBalance[],
  expanded: ReadonlySet<string>,
): TreeRow[] {
  const byUnit = new Map(balances.map((balance) => [balance.unitId, balance]));
  const summed = rollUp(root, byUnit);
  const marks = new Map<string, { blocked: boolean; overrun: boolean }>();
  const mark = (node: UnitNode): { blocked: boolean; overrun: boolean } => {
    let blocked = false;
    let overrun = false;
    for (const child of node.children) {
      const below = mark(child);
      const balance = byUnit.get(child.unitId);
      blocked ||= below.blocked || balance?.blocked === true;
      overrun ||= below.overrun || isOverrun(balance);
    }
    marks.set(node.unitId, { blocked, overrun });
    return { blocked, overrun };
  };
  mark(root);

  const rows: TreeRow[] = [];
  const visit = (node: UnitNode, depth: number, position: number, siblings: number) => {
    const balance = byUnit.get(node.unitId);
    const open = expanded.has(node.unitId);
    rows.push({
      unitId: node.unitId,
      name: node.name,
      parentId: node.parentId,
      depth,
      position,
      siblings,
      hasChildren: node.children.length > 0,
      expanded: open,
      archived: node.archived,
      own: balance,
      rolledUp: balance?.subtree ?? summed.get(node.unitId),
      blocked: balance?.blocked === true,
      overrun: isOverrun(balance),
      blockedBelow: marks.get(node.unitId)?.blocked ?? false,
      overrunBelow: marks.get(node.unitId)?.overrun ?? false,
    });
    if (!open) return;
    node.children.forEach((child, index) =>
      visit(child, depth + 1, index + 1, node.children.length),
    );
  };
  visit(root, 0, 1, 1);
  return rows;
}

/** Units open by default: those down to `depth` levels below the root. */
export function expandedToDepth(root: UnitNode, depth: number): Set<string> {
  const open = new Set<string>();
  const walk = (node: UnitNode, level: number) => {
    if (level < depth && node.children.length > 0) open.add(node.unitId);
    node.children.forEach((child) => walk(child, level + 1));
  };
  walk(root, 0);
  return open;
}
