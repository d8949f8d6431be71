// The JSON form stored with events and returned by queries: bigints become decimal strings
// (JSON numbers lose precision above 2^53), everything else is already plain data.
import { invariant } from './errors';
import type { AllocationPolicy, NodeAllocation, TreeAllocation } from './types';

export type Serialised<T> = T extends bigint
  ? string
  : T extends readonly (infer Item)[]
    ? Serialised<Item>[]
    : T extends object
      ? { [Key in keyof T]: Serialised<T[Key]> }
      : T;

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Deep enough for any allocation or policy (they are at most a handful of levels deep). */
const MAX_DEPTH = 32;

function toJson(value: unknown, depth: number): JsonValue | undefined {
  invariant(depth <= MAX_DEPTH, 'value too deep to serialise');
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    invariant(Number.isSafeInteger(value), 'only safe integers are serialised as numbers');
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item, depth + 1) ?? null);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => [key, toJson(item, depth + 1)] as const)
      .filter((entry): entry is readonly [string, JsonValue] => entry[1] !== undefined);
    return Object.fromEntries(entries);
  }
  return undefined; // undefined and functions are left out, as JSON.stringify does
}

export function serialise<T>(value: T): Serialised<T> {
  return toJson(value, 0) as Serialised<T>;
}

export const serialiseTreeAllocation = (allocation: TreeAllocation): Serialised<TreeAllocation> =>
  serialise(allocation);

export const serialiseNodeAllocation = (allocation: NodeAllocation): Serialised<NodeAllocation> =>
  serialise(allocation);

export const serialisePolicy = (policy: AllocationPolicy): Serialised<AllocationPolicy> =>
  serialise(policy);
