// Snapshot codec for the allocation states. The ledger's default tags bigint and Date as
// `{ $bigint }` / `{ $date }`, but these states are records keyed by user-chosen ids, and an id
// may be "$bigint" or "__proto__". Keys starting with "$" or named "__proto__" are escaped with
// one more "$", and decoded records are built with own properties only.
import type { JsonValue, SnapshotOptions } from '@plafond/ledger';

const MAX_DEPTH = 64;

const escapeKey = (key: string): string =>
  key.startsWith('$') || key === '__proto__' ? `$${key}` : key;
const unescapeKey = (key: string): string => (key.startsWith('$') ? key.slice(1) : key);

function encode(value: unknown, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new Error('snapshot state nested too deep');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map((item: unknown) => encode(item, depth + 1));
  if (typeof value === 'object') {
    const encoded: Record<string, JsonValue> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>))
      if (member !== undefined) encoded[escapeKey(key)] = encode(member, depth + 1);
    return encoded;
  }
  throw new Error(`snapshot state holds a ${typeof value}`);
}

function decode(value: JsonValue, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error('snapshot state nested too deep');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decode(item, depth + 1));
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value.$bigint === 'string') return BigInt(value.$bigint);
  if (keys.length === 1 && typeof value.$date === 'string') return new Date(value.$date);
  const decoded: Record<string, unknown> = {};
  for (const key of keys)
    Object.defineProperty(decoded, unescapeKey(key), {
      value: decode(value[key] as JsonValue, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return decoded;
}

/** Snapshot options under `name` (change the name whenever the state's shape or evolve changes). */
export function snapshotOf<State>(name: string, everyEvents = 100): SnapshotOptions<State> {
  return {
    name,
    everyEvents,
    encode: (state) => encode(state, 0),
    decode: (json) => decode(json, 0) as State,
  };
}
