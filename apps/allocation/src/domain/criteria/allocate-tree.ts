import { checkAmountInput, splitValidated } from './allocate-node';
import type { CriteriaResult, PolicyIssue } from './errors';
import { ALLOCATION_ERROR_CODES, failure, invariant, success } from './errors';
import { ALLOCATION_LIMITS } from './limits';
import type {
  AllocationChild,
  AllocationPolicy,
  AllocationTreeNode,
  TreeAllocation,
  UnitAllocation,
} from './types';
import { issue } from './validation-helpers';
import { validatePolicy } from './validate-policy';

export type PolicyMap =
  ReadonlyMap<string, AllocationPolicy> | Readonly<Record<string, AllocationPolicy>>;

interface Visit {
  node: AllocationTreeNode;
  parentId: string | null;
  depth: number;
}

function toMap(policies: PolicyMap): ReadonlyMap<string, AllocationPolicy> {
  return policies instanceof Map ? policies : new Map(Object.entries(policies));
}

function childrenOf(node: AllocationTreeNode): AllocationChild[] {
  return (node.children ?? []).map((child) => ({
    childId: child.unitId,
    ...(child.attributes === undefined ? {} : { attributes: child.attributes }),
  }));
}

/** Depth-first, parents first, children in given order; bounded by the tree limits. */
function flatten(tree: AllocationTreeNode): { visits: Visit[]; issues: PolicyIssue[] } {
  const visits: Visit[] = [];
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  const stack: Visit[] = [{ node: tree, parentId: null, depth: 0 }];
  while (stack.length > 0) {
    if (visits.length >= ALLOCATION_LIMITS.maxTreeNodes) {
      issues.push(
        issue({ path: 'tree' }, '', 'TOO_MANY', 'too many units', {
          limit: String(ALLOCATION_LIMITS.maxTreeNodes),
        }),
      );
      break;
    }
    const visit = stack.pop() as Visit;
    const { unitId } = visit.node;
    if (typeof unitId !== 'string' || unitId.length === 0) {
      issues.push(issue({ path: 'tree' }, '', 'EMPTY', 'a unit id must be a non-empty string'));
      continue;
    }
    if (seen.has(unitId)) {
      // A repeated id is a shared subtree or a cycle: stop here so the walk stays finite.
      issues.push(
        issue({ path: 'tree', unitId }, '', 'DUPLICATE_UNIT', 'unit appears more than once'),
      );
      continue;
    }
    if (visit.depth > ALLOCATION_LIMITS.maxTreeDepth) {
      issues.push(
        issue({ path: 'tree', unitId }, '', 'TOO_DEEP', 'tree is too deep', {
          limit: String(ALLOCATION_LIMITS.maxTreeDepth),
        }),
      );
      continue;
    }
    seen.add(unitId);
    visits.push(visit);
    const children = visit.node.children ?? [];
    for (let index = children.length - 1; index >= 0; index -= 1) {
      stack.push({
        node: children[index] as AllocationTreeNode,
        parentId: unitId,
        depth: visit.depth + 1,
      });
    }
  }
  return { visits, issues };
}

function policyIssues(
  visits: readonly Visit[],
  policies: ReadonlyMap<string, AllocationPolicy>,
): PolicyIssue[] {
  const units = new Set(visits.map((visit) => visit.node.unitId));
  const issues: PolicyIssue[] = [];
  for (const unitId of policies.keys()) {
    if (!units.has(unitId))
      issues.push(
        issue(
          { path: `policies[${JSON.stringify(unitId)}]`, unitId },
          '',
          'UNKNOWN_UNIT',
          'no such unit in the tree',
        ),
      );
  }
  for (const { node } of visits) {
    if ((node.children ?? []).length === 0) continue;
    const context = { path: `policies[${JSON.stringify(node.unitId)}]`, unitId: node.unitId };
    const policy = policies.get(node.unitId);
    if (policy === undefined)
      issues.push(issue(context, '', 'MISSING_POLICY', 'a unit with children needs a policy'));
    else issues.push(...validatePolicy(policy, childrenOf(node), context));
  }
  return issues;
}

/**
 * The whole tree, top-down: the root receives `amount`, every unit with children splits what it
 * received by its own policy, a leaf keeps what it received. A policy on a leaf is ignored (it
 * has nobody to split among). Every problem found anywhere in the tree is reported at once;
 * `preview` and `allocate` both call this, so a preview is exactly what would be committed.
 */
export function preview(
  tree: AllocationTreeNode,
  policies: PolicyMap,
  amount: bigint,
): CriteriaResult<TreeAllocation> {
  const checked = checkAmountInput(amount, 'amount');
  if (!checked.ok) return failure(checked.error.code, checked.error.details.issues);
  const { visits, issues: treeIssues } = flatten(tree);
  if (treeIssues.length > 0) return failure(ALLOCATION_ERROR_CODES.treeInvalid, treeIssues);
  const policyMap = toMap(policies);
  const structural = policyIssues(visits, policyMap);
  if (structural.length > 0) return failure(ALLOCATION_ERROR_CODES.policyInvalid, structural);

  const received = new Map<string, { amount: bigint; explanation: UnitAllocation['explanation'] }>([
    [tree.unitId, { amount, explanation: null }],
  ]);
  const units = new Map<string, UnitAllocation>();
  const amountIssues: PolicyIssue[] = [];
  let leftAtNodes = 0n;
  for (const { node, parentId, depth } of visits) {
    const own = received.get(node.unitId);
    if (own === undefined) continue; // an ancestor failed; its issue is already reported
    const unit: UnitAllocation = { unitId: node.unitId, parentId, depth, ...own, split: null };
    units.set(node.unitId, unit);
    const policy = policyMap.get(node.unitId);
    if ((node.children ?? []).length === 0 || policy === undefined) continue;
    const context = { path: `policies[${JSON.stringify(node.unitId)}]`, unitId: node.unitId };
    const split = splitValidated(own.amount, childrenOf(node), policy, context);
    if (!split.ok) {
      amountIssues.push(...split.error.details.issues);
      continue;
    }
    const { children, amount: _amount, ...rest } = split.value;
    unit.split = rest;
    leftAtNodes += rest.heldBack + rest.unallocated;
    for (const child of children) {
      received.set(child.childId, { amount: child.amount, explanation: child.explanation });
    }
  }
  if (amountIssues.length > 0) return failure(ALLOCATION_ERROR_CODES.policyInvalid, amountIssues);
  const leaves = [...units.values()].filter((unit) => unit.split === null);
  const leafTotal = leaves.reduce((sum, unit) => sum + unit.amount, 0n);
  invariant(leafTotal + leftAtNodes === amount, 'tree does not conserve the amount', {
    amount: amount.toString(),
    leaves: leafTotal.toString(),
    leftAtNodes: leftAtNodes.toString(),
  });
  return success({ rootId: tree.unitId, amount, units: Object.fromEntries(units) });
}
