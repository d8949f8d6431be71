import fc from 'fast-check';
import { preview } from './allocate-tree';
import { sumBigints } from './rule-outcome';
import { serialiseTreeAllocation } from './serialise';
import { treeScenarioArb } from './testing/tree.arbitraries';
import type { AllocationTreeNode } from './types';

const RUNS = { numRuns: 200 };

function unitIds(node: AllocationTreeNode): string[] {
  return [node.unitId, ...(node.children ?? []).flatMap(unitIds)];
}

describe('preview properties', () => {
  it('conserves every node and the whole tree exactly, and is deterministic', () => {
    fc.assert(
      fc.property(treeScenarioArb, ({ tree, policies, amount }) => {
        const result = preview(tree, policies, amount);
        expect(preview(tree, policies, amount)).toEqual(result);
        if (!result.ok) {
          // Static amounts are the only part of these policies that can outgrow what a unit receives.
          expect(
            result.error.details.issues.every(
              (issue) => issue.reason === 'STATIC_SUM_EXCEEDS_AMOUNT',
            ),
          ).toBe(true);
          return;
        }
        const units = Object.values(result.value.units);
        expect(units.map((unit) => unit.unitId)).toEqual(unitIds(tree));
        let pools = 0n;
        for (const unit of units) {
          expect(unit.amount).toBeGreaterThanOrEqual(0n);
          if (unit.split === null) continue;
          const children = units.filter((child) => child.parentId === unit.unitId);
          const parts = sumBigints(children.map((child) => child.amount));
          expect(parts + unit.split.heldBack + unit.split.unallocated).toBe(unit.amount);
          pools += unit.split.heldBack + unit.split.unallocated;
        }
        const leaves = units.filter((unit) => unit.split === null);
        expect(sumBigints(leaves.map((unit) => unit.amount)) + pools).toBe(amount);
        const json = serialiseTreeAllocation(result.value);
        expect(JSON.parse(JSON.stringify(json))).toEqual(json);
      }),
      RUNS,
    );
  });
});
