import { LedgerInvalidEventError } from '../errors';

// Canonical JSON: object keys sorted by UTF-16 code units (as RFC 8785 does), no whitespace,
// `undefined` object members dropped. The same text is hashed and stored (jsonb), and what jsonb
// gives back re-encodes to the same text, which is what lets verify() recompute every hash.
//
// Numbers must be safe integers: quantities are integer strings and a float or a number beyond
// 2^53 would not survive a round trip exactly. bigint has no JSON form, so it is refused with a
// hint rather than silently converted.
//
// This runs for every appended event. The fast path validates the value, re-orders only objects
// whose keys are out of order, and lets the native JSON.stringify write the text (which then
// equals the canonical form: same escaping, same integers, undefined members dropped). Objects
// with integer-like keys, which JavaScript itself re-orders, take the slower manual encoder. The
// path of an offending value is kept as a stack of keys and turned into text only when refusing.

const MAX_DEPTH = 64;

type PathStack = (string | number)[];

export function canonicalJson(value: unknown, path = '$'): string {
  const stack: PathStack = [path];
  const context = { manual: false };
  const normalized = normalize(value, stack, context);
  return context.manual ? encode(value, [path]) : JSON.stringify(normalized);
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/** Validates like `encode`; returns the value, or a key-sorted copy where keys were out of order. */
function normalize(value: unknown, stack: PathStack, context: { manual: boolean }): unknown {
  if (stack.length > MAX_DEPTH + 1) refuse(stack, `is nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') {
    if (value.includes('\u0000')) refuse(stack, 'contains a NUL character');
    return value;
  }
  if (typeof value !== 'object' || value === null) {
    encodeScalar(value, stack);
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      stack.push(index);
      if (item === undefined) refuse(stack, 'is undefined');
      const normalized = normalize(item, stack, context);
      stack.pop();
      if (normalized !== item) copy ??= value.slice();
      if (copy !== undefined) copy[index] = normalized;
    }
    return copy ?? value;
  }
  assertPlainObject(value, stack);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  let members: Map<string, unknown> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (index > 0 && keys[index - 1]! > key) sorted = false;
    const firstCode = key.charCodeAt(0);
    if (firstCode >= 48 && firstCode <= 57 && ARRAY_INDEX.test(key)) context.manual = true;
    stack.push(key);
    if (key.includes('\u0000')) refuse(stack, 'has a NUL character in its name');
    const member = record[key];
    const normalized = member === undefined ? undefined : normalize(member, stack, context);
    stack.pop();
    if (normalized !== member) {
      members ??= new Map();
      members.set(key, normalized);
    }
  }
  if (sorted && members === undefined) return value;
  const copy: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const member = members?.has(key) ? members.get(key) : record[key];
    // Plain assignment of "__proto__" would set the prototype instead of a member.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: member, enumerable: true });
    else copy[key] = member;
  }
  return copy;
}

function encodeScalar(value: unknown, stack: PathStack): string {
  switch (typeof value) {
    case 'string':
      // jsonb cannot hold U+0000; refusing here keeps the hash and the stored row in step.
      if (value.includes('\u0000')) refuse(stack, 'contains a NUL character');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) {
        refuse(
          stack,
          `is ${value}; numbers in the ledger must be safe integers (use integer strings for quantities)`,
        );
      }
      return value === 0 ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return refuse(
        stack,
        `is a bigint (${value}n); store quantities as integer strings, e.g. "${value}"`,
      );
    default:
      if (value === null) return 'null';
      return refuse(stack, `is a ${typeof value}, which has no JSON form`);
  }
}

function assertPlainObject(value: object, stack: PathStack): void {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    refuse(stack, `is a ${kind}; only plain objects, arrays and scalars are stored`);
  }
}

function pathText(stack: PathStack): string {
  return stack
    .map((part, index) =>
      index === 0 ? part : typeof part === 'number' ? `[${part}]` : `.${part}`,
    )
    .join('');
}

function refuse(stack: PathStack, problem: string): never {
  throw new LedgerInvalidEventError(`${pathText(stack)} ${problem}`);
}

/** The manual encoder, for values the native one would order differently. */
function encode(value: unknown, stack: PathStack): string {
  if (stack.length > MAX_DEPTH + 1) refuse(stack, `is nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value !== 'object' || value === null) return encodeScalar(value, stack);
  return Array.isArray(value) ? encodeArray(value as unknown[], stack) : encodeObject(value, stack);
}

function encodeArray(items: unknown[], stack: PathStack): string {
  let text = '[';
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    stack.push(index);
    if (item === undefined) refuse(stack, 'is undefined');
    text += (index === 0 ? '' : ',') + encode(item, stack);
    stack.pop();
  }
  return text + ']';
}

function encodeObject(value: object, stack: PathStack): string {
  assertPlainObject(value, stack);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    stack.push(key);
    if (key.includes('\u0000')) refuse(stack, 'has a NUL character in its name');
    text += (first ? '' : ',') + JSON.stringify(key) + ':' + encode(member, stack);
    stack.pop();
    first = false;
  }
  return text + '}';
}
