// Pure reads of the unit tree. Every walk is bounded by the unit count or the depth limit.
import type { AllocationTreeNode, WeightValue } from '../criteria';
import { DOMAIN_ERROR_CODES, invariant, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup } from '../shared/records';
import { requireCalendarDate } from '../shared/values';
import { resolveAttributes } from './attributes';
import type { OrganisationState, UnitRecord } from './organisation.types';

export interface SubtreeNode {
  unitId: string;
  parentId: string | null;
  name: string;
  archived: boolean;
  depth: number;
  children: SubtreeNode[];
}

export function requireUnit(state: OrganisationState, unitId: string): UnitRecord {
  const unit = lookup(state.units, unitId);
  if (unit === undefined)
    refuse(DOMAIN_ERROR_CODES.unitNotFound, `unit "${unitId}" not found`, { unitId });
  return unit;
}

/** Ids from the unit up to its root, the unit first. */
export function ancestry(state: OrganisationState, unitId: string): string[] {
  const path: string[] = [];
  let current: string | null = requireUnit(state, unitId).unitId;
  while (current !== null) {
    invariant(path.length <= DOMAIN_LIMITS.treeDepth, 'unit tree deeper than its limit', {
      unitId,
    });
    path.push(current);
    current = requireUnit(state, current).parentId;
  }
  return path;
}

/** Depth of a unit; a root is at depth 0. */
export const depthOf = (state: OrganisationState, unitId: string): number =>
  ancestry(state, unitId).length - 1;

export function isInSubtree(state: OrganisationState, rootId: string, unitId: string): boolean {
  return ancestry(state, unitId).includes(rootId);
}

/** Depth-first, parents before children, children in tree order. */
export function walkSubtree(
  state: OrganisationState,
  rootId: string,
  visit: (unit: UnitRecord, depth: number) => boolean | void,
): void {
  const stack: { unitId: string; depth: number }[] = [{ unitId: rootId, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    invariant(visited < state.unitCount, 'subtree walk visited more units than exist', { rootId });
    const next = stack.pop() as { unitId: string; depth: number };
    const unit = requireUnit(state, next.unitId);
    visited += 1;
    if (visit(unit, next.depth) === false) continue; // false prunes the unit's children
    for (let index = unit.children.length - 1; index >= 0; index -= 1)
      stack.push({ unitId: unit.children[index] as string, depth: next.depth + 1 });
  }
}

/** Height of the subtree below a unit (0 for a leaf). */
export function subtreeHeight(state: OrganisationState, unitId: string): number {
  let height = 0;
  walkSubtree(state, unitId, (_unit, depth) => {
    height = Math.max(height, depth);
  });
  return height;
}

/** The subtree rooted at a unit, as nested nodes; archived units only when asked for. */
export function subtree(
  state: OrganisationState,
  unitId: string,
  options: { includeArchived?: boolean } = {},
): SubtreeNode {
  const nodes = new Map<string, SubtreeNode>();
  walkSubtree(state, unitId, (unit, depth) => {
    if (unit.archived && options.includeArchived !== true && unit.unitId !== unitId) return false;
    const node: SubtreeNode = {
      unitId: unit.unitId,
      parentId: unit.parentId,
      name: unit.name,
      archived: unit.archived,
      depth,
      children: [],
    };
    nodes.set(unit.unitId, node);
    if (unit.unitId !== unitId && unit.parentId !== null)
      nodes.get(unit.parentId)?.children.push(node);
    return true;
  });
  return nodes.get(unitId) as SubtreeNode;
}

export function attributesAsOf(
  state: OrganisationState,
  unitId: string,
  date: string,
): Record<string, WeightValue> {
  const unit = requireUnit(state, unitId);
  return resolveAttributes(unit.attributeVersions, requireCalendarDate(date, 'date'));
}

/** The tree the allocation criteria split: active units, attributes effective on `date`. */
export function allocationTree(
  state: OrganisationState,
  rootId: string,
  date: string,
): AllocationTreeNode {
  const toNode = (node: SubtreeNode): AllocationTreeNode => ({
    unitId: node.unitId,
    attributes: attributesAsOf(state, node.unitId, date),
    children: node.children.map(toNode),
  });
  // Recursion depth is bounded by DOMAIN_LIMITS.treeDepth, enforced on create and move.
  return toNode(subtree(state, rootId));
}
