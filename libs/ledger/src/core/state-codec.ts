import { LedgerInvalidArgumentError } from '../errors';
import type { JsonValue } from '../types';

// Default snapshot codec: plain JSON plus two tagged forms, because aggregate states in this
// product hold bigint quantities and instants. A state object with an own key named "$bigint" or
// "$date" would be ambiguous; such states must bring their own encode/decode.

const MAX_DEPTH = 64;

export function encodeState(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_DEPTH)
    throw new LedgerInvalidArgumentError(`snapshot state nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map((item) => encodeState(item, depth + 1));
  if (typeof value === 'object') {
    const encoded: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (member !== undefined) encoded[key] = encodeState(member, depth + 1);
    }
    return encoded;
  }
  throw new LedgerInvalidArgumentError(
    `snapshot state holds a ${typeof value}; pass snapshot.encode/decode`,
  );
}

export function decodeState(value: JsonValue, depth = 0): unknown {
  if (depth > MAX_DEPTH)
    throw new LedgerInvalidArgumentError(`snapshot state nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => decodeState(item, depth + 1));
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only === '$bigint' && typeof value.$bigint === 'string') return BigInt(value.$bigint);
  if (only === '$date' && typeof value.$date === 'string') return new Date(value.$date);
  const decoded: Record<string, unknown> = {};
  for (const key of keys) decoded[key] = decodeState(value[key] as JsonValue, depth + 1);
  return decoded;
}
