// Public surface of the allocation criteria: pure functions on bigint micro-units.
export { allocateNode } from './allocate-node';
export { preview } from './allocate-tree';
export type { PolicyMap } from './allocate-tree';
export { contingencyAmount } from './contingency';
export { ALLOCATION_ERROR_CODES, AllocationInvariantError, invariant } from './errors';
export type {
  AllocationError,
  AllocationErrorCode,
  CriteriaResult,
  IssueReason,
  PolicyIssue,
} from './errors';
export { largestRemainder, splitWithRoom } from './largest-remainder';
export { ALLOCATION_LIMITS } from './limits';
export {
  serialise,
  serialiseNodeAllocation,
  serialisePolicy,
  serialiseTreeAllocation,
} from './serialise';
export type { JsonValue, Serialised } from './serialise';
export * from './types';
export { validatePolicy } from './validate-policy';
export { parsePolicy } from './parse-policy';
