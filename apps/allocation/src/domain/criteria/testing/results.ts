// Test helpers: unwrap a criteria result or its error, and look children up by id.
import type { CriteriaResult, AllocationError } from '../errors';
import type { ChildAllocation, NodeAllocation } from '../types';

export function unwrap<T>(result: CriteriaResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export function unwrapError<T>(result: CriteriaResult<T>): AllocationError {
  if (result.ok) throw new Error('expected a failure, got a success');
  return result.error;
}

export function amountsOf(allocation: NodeAllocation): Record<string, bigint> {
  return Object.fromEntries(allocation.children.map((child) => [child.childId, child.amount]));
}

export function childOf(allocation: NodeAllocation, childId: string): ChildAllocation {
  const found = allocation.children.find((child) => child.childId === childId);
  if (found === undefined) throw new Error(`no child ${childId}`);
  return found;
}

export function reasonsOf(error: AllocationError): string[] {
  return error.details.issues.map((issue) => issue.reason);
}
