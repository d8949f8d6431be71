// The unit tree of a statement: each unit's own amounts per currency and its subtree's (its own
// plus every descendant's), parents first. Pure, so the roll-up is unit-tested without a database.

/** A unit as the directory knows it (name null when billing saw lines but no UnitCreated). */
export interface TreeUnit {
  readonly unitId: string;
  readonly parentId: string | null;
  readonly name: string | null;
  readonly archived: boolean;
}

/** Micro-units per currency, keys in code-point order. */
export type CurrencyAmounts = Record<string, string>;

export interface StatementTreeNode {
  readonly unitId: string;
  readonly name: string | null;
  readonly parentId: string | null;
  /** 0 for the statement's unit, 1 for its children… */
  readonly depth: number;
  readonly archived: boolean;
  /** Σ amountMicro of the unit's own lines, per currency (currencies without lines absent). */
  readonly own: CurrencyAmounts;
  /** own + every descendant's own, per currency. */
  readonly subtree: CurrencyAmounts;
}

export const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A bigint map rendered as decimal strings, keys sorted by code point, zero-free keys kept. */
export function toCurrencyAmounts(amounts: ReadonlyMap<string, bigint>): CurrencyAmounts {
  const out: CurrencyAmounts = {};
  for (const currency of [...amounts.keys()].sort(compareCodePoints))
    out[currency] = (amounts.get(currency) ?? 0n).toString();
  return out;
}

function addInto(target: Map<string, bigint>, source: ReadonlyMap<string, bigint>): void {
  for (const [currency, amount] of source)
    target.set(currency, (target.get(currency) ?? 0n) + amount);
}

/**
 * Rolls `own` up the tree rooted at `rootId`. `units` holds the root and its descendants (a unit
 * whose parent is not reachable from the root is ignored; cycles are cut). Children are visited
 * in unit-id order, so the answer is deterministic.
 */
export function rollUpTree(
  rootId: string,
  units: readonly TreeUnit[],
  own: ReadonlyMap<string, ReadonlyMap<string, bigint>>,
): StatementTreeNode[] {
  const byId = new Map(units.map((unit) => [unit.unitId, unit]));
  const children = new Map<string, string[]>();
  for (const unit of units) {
    if (unit.unitId === rootId || unit.parentId === null) continue;
    const siblings = children.get(unit.parentId) ?? [];
    siblings.push(unit.unitId);
    children.set(unit.parentId, siblings);
  }
  for (const siblings of children.values()) siblings.sort(compareCodePoints);

  // Pre-order walk (parents first), then sums from the leaves up.
  const order: { unitId: string; depth: number }[] = [];
  const seen = new Set<string>();
  const stack: { unitId: string; depth: number }[] = [{ unitId: rootId, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop() as { unitId: string; depth: number };
    if (seen.has(next.unitId)) continue;
    seen.add(next.unitId);
    order.push(next);
    const kids = children.get(next.unitId) ?? [];
    for (let index = kids.length - 1; index >= 0; index -= 1)
      stack.push({ unitId: kids[index] as string, depth: next.depth + 1 });
  }
  const subtree = new Map<string, Map<string, bigint>>();
  for (let index = order.length - 1; index >= 0; index -= 1) {
    const { unitId } = order[index] as { unitId: string };
    const sums = new Map<string, bigint>();
    addInto(sums, own.get(unitId) ?? new Map());
    for (const child of children.get(unitId) ?? [])
      if (seen.has(child)) addInto(sums, subtree.get(child) ?? new Map());
    subtree.set(unitId, sums);
  }
  return order.map(({ unitId, depth }) => {
    const unit = byId.get(unitId);
    return {
      unitId,
      name: unit?.name ?? null,
      parentId: unit?.parentId ?? null,
      depth,
      archived: unit?.archived ?? false,
      own: toCurrencyAmounts(own.get(unitId) ?? new Map()),
      subtree: toCurrencyAmounts(subtree.get(unitId) ?? new Map()),
    };
  });
}
