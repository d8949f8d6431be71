import { assertNodeAllocation } from './invariants';
import { contingencyAmount } from './contingency';
import type { CriteriaResult } from './errors';
import { ALLOCATION_ERROR_CODES, failure, success } from './errors';
import { allocateFairShare } from './fair-share';
import type { RuleOutcome } from './rule-outcome';
import { allocateStatic } from './static-amounts';
import { allocateTiers } from './tiers';
import type { AllocationChild, AllocationPolicy, AllocationRule, NodeAllocation } from './types';
import type { IssueContext } from './validation-helpers';
import { describe, issue } from './validation-helpers';
import { validateAgainstAmount, validatePolicy } from './validate-policy';
import { allocateWeights } from './weights';

function runRule(
  distributable: bigint,
  children: readonly AllocationChild[],
  rule: AllocationRule,
): RuleOutcome {
  switch (rule.kind) {
    case 'static':
      return allocateStatic(distributable, children, rule);
    case 'weights':
      return allocateWeights(distributable, children, rule);
    case 'tiers':
      return allocateTiers(distributable, children, rule);
    case 'fairShare':
      return allocateFairShare(distributable, children, rule);
    default: {
      const unknown: never = rule;
      throw new Error(`unreachable rule ${describe(unknown)}`);
    }
  }
}

/** Splits an already validated policy; amount-dependent problems come back as issues. */
export function splitValidated(
  amount: bigint,
  children: readonly AllocationChild[],
  policy: AllocationPolicy,
  context: IssueContext,
): CriteriaResult<NodeAllocation> {
  const heldBack = contingencyAmount(amount, policy.contingency);
  const amountIssues = validateAgainstAmount(policy, amount, heldBack, context);
  if (amountIssues.length > 0) return failure(ALLOCATION_ERROR_CODES.policyInvalid, amountIssues);
  const distributable = amount - heldBack;
  const outcome: RuleOutcome =
    children.length === 0
      ? {
          children: [],
          unallocated: distributable,
          unallocatedReasons: distributable > 0n ? ['NO_CHILDREN'] : [],
        }
      : runRule(distributable, children, policy.rule);
  const allocation: NodeAllocation = {
    amount,
    criterion: policy.rule.kind,
    heldBack,
    unallocated: outcome.unallocated,
    unallocatedReasons: outcome.unallocatedReasons,
    children: outcome.children,
  };
  assertNodeAllocation(allocation, policy);
  return success(allocation);
}

export function checkAmountInput(amount: unknown, path: string): CriteriaResult<bigint> {
  if (typeof amount === 'bigint' && amount >= 0n) return success(amount);
  return failure(ALLOCATION_ERROR_CODES.amountInvalid, [
    issue(
      { path },
      '',
      typeof amount === 'bigint' ? 'NEGATIVE' : 'NOT_AN_INTEGER',
      'must be a bigint ≥ 0',
      {
        value: describe(amount),
      },
    ),
  ]);
}

/**
 * One level: holds back the contingency, then splits the rest among `children` by the policy's
 * rule. Pure and deterministic; the result does not depend on the order of `children` (only
 * the output order follows it).
 */
export function allocateNode(
  amount: bigint,
  children: readonly AllocationChild[],
  policy: AllocationPolicy,
  context: IssueContext = { path: 'policy' },
): CriteriaResult<NodeAllocation> {
  const checked = checkAmountInput(amount, 'amount');
  if (!checked.ok) return failure(checked.error.code, checked.error.details.issues);
  const issues = validatePolicy(policy, children, context);
  if (issues.length > 0) return failure(ALLOCATION_ERROR_CODES.policyInvalid, issues);
  return splitValidated(amount, children, policy, context);
}
