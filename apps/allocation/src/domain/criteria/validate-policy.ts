import type { PolicyIssue } from './errors';
import { ALLOCATION_LIMITS } from './limits';
import { sumBigints } from './rule-outcome';
import type {
  AllocationChild,
  AllocationPolicy,
  AllocationRule,
  Contingency,
  FairShareRule,
  StaticRule,
  TiersRule,
  WeightsRule,
} from './types';
import type { IssueContext } from './validation-helpers';
import {
  checkAmount,
  checkAttribute,
  checkBasisPoints,
  checkFloorCap,
  checkMembership,
  describe,
  issue,
} from './validation-helpers';

export function validateChildren(
  context: IssueContext,
  children: readonly AllocationChild[],
): PolicyIssue[] {
  if (children.length > ALLOCATION_LIMITS.maxChildrenPerNode) {
    return [
      issue(context, '.children', 'TOO_MANY', 'too many children', {
        value: String(children.length),
        limit: String(ALLOCATION_LIMITS.maxChildrenPerNode),
      }),
    ];
  }
  const seen = new Set<string>();
  const issues: PolicyIssue[] = [];
  children.forEach((child, index) => {
    if (typeof child.childId !== 'string' || child.childId.length === 0) {
      issues.push(
        issue(context, `.children[${index}].childId`, 'EMPTY', 'must be a non-empty string'),
      );
    } else if (seen.has(child.childId)) {
      issues.push(
        issue(context, `.children[${index}].childId`, 'DUPLICATE_CHILD', 'appears twice', {
          childId: child.childId,
        }),
      );
    }
    seen.add(child.childId);
  });
  return issues;
}

function validateContingency(
  context: IssueContext,
  contingency: Contingency | undefined,
): PolicyIssue[] {
  if (contingency === undefined) return [];
  if ('basisPoints' in contingency)
    return checkBasisPoints(context, '.contingency.basisPoints', contingency.basisPoints);
  if ('amount' in contingency)
    return checkAmount(context, '.contingency.amount', contingency.amount);
  return [issue(context, '.contingency', 'EMPTY', 'must give basisPoints or amount')];
}

function validateStatic(
  context: IssueContext,
  children: readonly AllocationChild[],
  rule: StaticRule,
): PolicyIssue[] {
  return [
    ...checkMembership(context, '.rule.members', children, rule.members),
    ...rule.members.flatMap((member, index) =>
      checkAmount(context, `.rule.members[${index}].amount`, member.amount),
    ),
  ];
}

function validateWeights(
  context: IssueContext,
  children: readonly AllocationChild[],
  rule: WeightsRule,
): PolicyIssue[] {
  const { components } = rule;
  if (components.length === 0)
    return [issue(context, '.rule.components', 'EMPTY', 'needs at least one component')];
  if (components.length > ALLOCATION_LIMITS.maxWeightComponents) {
    return [
      issue(context, '.rule.components', 'TOO_MANY', 'too many weight components', {
        value: String(components.length),
        limit: String(ALLOCATION_LIMITS.maxWeightComponents),
      }),
    ];
  }
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  components.forEach((component, index) => {
    const path = `.rule.components[${index}]`;
    if (seen.has(component.attribute)) {
      issues.push(
        issue(
          context,
          `${path}.attribute`,
          'DUPLICATE_COMPONENT',
          `"${component.attribute}" appears twice`,
        ),
      );
    }
    seen.add(component.attribute);
    issues.push(...checkBasisPoints(context, `${path}.basisPoints`, component.basisPoints));
    issues.push(...checkAttribute(context, children, component.attribute));
  });
  const total = components.reduce(
    (sum, component) =>
      sum + (Number.isSafeInteger(component.basisPoints) ? component.basisPoints : 0),
    0,
  );
  if (total !== ALLOCATION_LIMITS.basisPointsTotal) {
    issues.push(
      issue(context, '.rule.components', 'BASIS_POINTS_SUM', 'basis points must sum to 10000', {
        value: String(total),
        limit: String(ALLOCATION_LIMITS.basisPointsTotal),
      }),
    );
  }
  return issues;
}

function validateTierDefinitions(context: IssueContext, rule: TiersRule): PolicyIssue[] {
  if (rule.tiers.length === 0)
    return [issue(context, '.rule.tiers', 'EMPTY', 'needs at least one tier')];
  if (rule.tiers.length > ALLOCATION_LIMITS.maxTiers) {
    return [
      issue(context, '.rule.tiers', 'TOO_MANY', 'too many tiers', {
        value: String(rule.tiers.length),
        limit: String(ALLOCATION_LIMITS.maxTiers),
      }),
    ];
  }
  const seen = new Set<string>();
  return rule.tiers.flatMap((tier, index) => {
    const found = checkAmount(context, `.rule.tiers[${index}].multiplier`, tier.multiplier, true);
    if (seen.has(tier.tier)) {
      found.push(
        issue(
          context,
          `.rule.tiers[${index}].tier`,
          'DUPLICATE_TIER',
          `"${tier.tier}" appears twice`,
        ),
      );
    }
    seen.add(tier.tier);
    return found;
  });
}

function validateTiers(
  context: IssueContext,
  children: readonly AllocationChild[],
  rule: TiersRule,
): PolicyIssue[] {
  const issues = validateTierDefinitions(context, rule);
  if (rule.mode !== 'priority' && rule.mode !== 'weighted') {
    issues.push(
      issue(context, '.rule.mode', 'UNKNOWN_RULE', 'must be priority or weighted', {
        value: describe(rule.mode),
      }),
    );
  }
  const tierNames = new Set(rule.tiers.map((tier) => tier.tier));
  issues.push(...checkMembership(context, '.rule.members', children, rule.members));
  rule.members.forEach((member, index) => {
    const path = `.rule.members[${index}]`;
    if (!tierNames.has(member.tier)) {
      issues.push(
        issue(context, `${path}.tier`, 'UNKNOWN_TIER', `"${member.tier}" is not a declared tier`, {
          childId: member.childId,
        }),
      );
    }
    issues.push(...checkFloorCap(context, path, member));
  });
  if (rule.weightAttribute !== undefined)
    issues.push(...checkAttribute(context, children, rule.weightAttribute));
  return issues;
}

function validateFairShare(
  context: IssueContext,
  children: readonly AllocationChild[],
  rule: FairShareRule,
): PolicyIssue[] {
  return [
    ...checkMembership(context, '.rule.members', children, rule.members),
    ...rule.members.flatMap((member, index) => [
      ...checkAmount(context, `.rule.members[${index}].demand`, member.demand),
      ...checkFloorCap(context, `.rule.members[${index}]`, member),
    ]),
  ];
}

function validateRule(
  context: IssueContext,
  children: readonly AllocationChild[],
  rule: AllocationRule,
): PolicyIssue[] {
  switch (rule.kind) {
    case 'static':
      return validateStatic(context, children, rule);
    case 'weights':
      return validateWeights(context, children, rule);
    case 'tiers':
      return validateTiers(context, children, rule);
    case 'fairShare':
      return validateFairShare(context, children, rule);
    default: {
      const unknown: never = rule;
      return [
        issue(context, '.rule.kind', 'UNKNOWN_RULE', 'unknown rule kind', {
          value: describe((unknown as { kind?: unknown }).kind),
        }),
      ];
    }
  }
}

/** Everything about a policy that does not depend on the amount being split. */
export function validatePolicy(
  policy: AllocationPolicy,
  children: readonly AllocationChild[],
  context: IssueContext = { path: 'policy' },
): PolicyIssue[] {
  const childIssues = validateChildren(context, children);
  if (childIssues.length > 0) return childIssues;
  if (typeof policy?.rule !== 'object' || policy.rule === null) {
    return [issue(context, '.rule', 'UNKNOWN_RULE', 'a policy needs a rule')];
  }
  return [
    ...validateContingency(context, policy.contingency),
    ...validateRule(context, children, policy.rule),
  ];
}

/** What only the amount can tell: the contingency and the static amounts must fit in it. */
export function validateAgainstAmount(
  policy: AllocationPolicy,
  amount: bigint,
  heldBack: bigint,
  context: IssueContext = { path: 'policy' },
): PolicyIssue[] {
  if (heldBack > amount) {
    return [
      issue(
        context,
        '.contingency.amount',
        'CONTINGENCY_EXCEEDS_AMOUNT',
        'contingency exceeds the amount to split',
        {
          value: heldBack.toString(),
          limit: amount.toString(),
        },
      ),
    ];
  }
  if (policy.rule.kind !== 'static') return [];
  const total = sumBigints(policy.rule.members.map((member) => member.amount));
  const distributable = amount - heldBack;
  if (total <= distributable) return [];
  return [
    issue(
      context,
      '.rule.members',
      'STATIC_SUM_EXCEEDS_AMOUNT',
      'static amounts exceed the distributable amount',
      {
        value: total.toString(),
        limit: distributable.toString(),
      },
    ),
  ];
}
