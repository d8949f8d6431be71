// Small checks shared by the policy validators. Each returns issues instead of throwing so a
// caller sees every problem of a policy at once.
import type { IssueReason, PolicyIssue } from './errors';
import { ALLOCATION_LIMITS } from './limits';
import type { AllocationChild, WeightValue } from './types';
import { attributeOf, isScaledDecimal } from './weight-value';

export interface IssueContext {
  path: string;
  unitId?: string;
}

export function issue(
  context: IssueContext,
  path: string,
  reason: IssueReason,
  message: string,
  extra: Partial<Pick<PolicyIssue, 'childId' | 'value' | 'limit'>> = {},
): PolicyIssue {
  return {
    path: `${context.path}${path}`,
    reason,
    message,
    ...(context.unitId === undefined ? {} : { unitId: context.unitId }),
    ...extra,
  };
}

export function describe(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A bigint ≥ 0; `undefined` is accepted only when the field is optional. */
export function checkAmount(
  context: IssueContext,
  path: string,
  value: unknown,
  optional = false,
): PolicyIssue[] {
  if (value === undefined && optional) return [];
  if (typeof value !== 'bigint') {
    return [
      issue(context, path, 'NOT_AN_INTEGER', 'must be an integer (bigint)', {
        value: describe(value),
      }),
    ];
  }
  if (value < 0n)
    return [issue(context, path, 'NEGATIVE', 'must not be negative', { value: value.toString() })];
  return [];
}

export function checkBasisPoints(
  context: IssueContext,
  path: string,
  value: unknown,
): PolicyIssue[] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return [
      issue(context, path, 'NOT_AN_INTEGER', 'must be an integer number of basis points', {
        value: describe(value),
      }),
    ];
  }
  if (value < 0 || value > ALLOCATION_LIMITS.basisPointsTotal) {
    return [
      issue(context, path, 'OUT_OF_RANGE', 'must be between 0 and 10000 basis points', {
        value: String(value),
        limit: String(ALLOCATION_LIMITS.basisPointsTotal),
      }),
    ];
  }
  return [];
}

export function checkWeightValue(
  context: IssueContext,
  path: string,
  value: WeightValue | undefined,
): PolicyIssue[] {
  if (typeof value === 'bigint' || value === undefined) return checkAmount(context, path, value);
  if (!isScaledDecimal(value)) {
    return [
      issue(context, path, 'NOT_AN_INTEGER', 'must be a bigint or { value, scale }', {
        value: describe(value),
      }),
    ];
  }
  const { scale } = value;
  if (!Number.isSafeInteger(scale) || scale < 0 || scale > ALLOCATION_LIMITS.maxWeightScale) {
    return [
      issue(context, `${path}.scale`, 'OUT_OF_RANGE', 'scale must be an integer from 0 to 18', {
        value: describe(scale),
        limit: String(ALLOCATION_LIMITS.maxWeightScale),
      }),
    ];
  }
  return checkAmount(context, `${path}.value`, value.value);
}

/** Every child must carry the attribute a weight reads, as a non-negative weight. */
export function checkAttribute(
  context: IssueContext,
  children: readonly AllocationChild[],
  attribute: string,
): PolicyIssue[] {
  return children.flatMap((child) => {
    const value = attributeOf(child.attributes, attribute);
    const path = `.children[${JSON.stringify(child.childId)}].attributes.${attribute}`;
    if (value === undefined) {
      return [
        issue(context, path, 'MISSING_ATTRIBUTE', `child has no attribute "${attribute}"`, {
          childId: child.childId,
        }),
      ];
    }
    return checkWeightValue(context, path, value).map((found) => ({
      ...found,
      childId: child.childId,
    }));
  });
}

/**
 * The rule's members must name each child exactly once: a child left out would silently get
 * nothing, an unknown one points at a stale tree.
 */
export function checkMembership(
  context: IssueContext,
  path: string,
  children: readonly AllocationChild[],
  members: readonly { childId: string }[],
): PolicyIssue[] {
  const known = new Set(children.map((child) => child.childId));
  const seen = new Set<string>();
  const issues: PolicyIssue[] = [];
  members.forEach((member, index) => {
    const at = `${path}[${index}].childId`;
    if (!known.has(member.childId)) {
      issues.push(
        issue(context, at, 'UNKNOWN_CHILD', 'is not a child of this unit', {
          childId: member.childId,
        }),
      );
    } else if (seen.has(member.childId)) {
      issues.push(
        issue(context, at, 'DUPLICATE_CHILD', 'is listed more than once', {
          childId: member.childId,
        }),
      );
    }
    seen.add(member.childId);
  });
  for (const child of children) {
    if (!seen.has(child.childId)) {
      issues.push(
        issue(context, path, 'MISSING_CHILD', 'does not list every child', {
          childId: child.childId,
        }),
      );
    }
  }
  return issues;
}

export function checkFloorCap(
  context: IssueContext,
  path: string,
  member: { floor?: bigint; cap?: bigint; childId: string },
): PolicyIssue[] {
  const issues = [
    ...checkAmount(context, `${path}.floor`, member.floor, true),
    ...checkAmount(context, `${path}.cap`, member.cap, true),
  ];
  if (issues.length > 0 || member.floor === undefined || member.cap === undefined) return issues;
  if (member.floor > member.cap) {
    issues.push(
      issue(context, path, 'FLOOR_ABOVE_CAP', 'floor is above cap', {
        childId: member.childId,
        value: member.floor.toString(),
        limit: member.cap.toString(),
      }),
    );
  }
  return issues;
}
