// State maps are plain records (the ledger's snapshot codec stores them as JSON). Keys are user
// ids, so reads go through Object.hasOwn: `record['constructor']` must not find the prototype's.

export type IdRecord<T> = Readonly<Record<string, T>>;

export function lookup<T>(record: IdRecord<T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function has(record: IdRecord<unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/**
 * The copies below have no prototype: keyed by ids, they are hash tables to V8 anyway, and filling
 * one key by key costs a fraction of `{ ...record }` (which tries, for every id, the hidden-class
 * transitions of an ordinary object) and of `delete` on the copy. That copy is what every account
 * event pays per pending reservation. With no prototype, "__proto__" is a plain own key too.
 */
function copyWithout<T>(record: IdRecord<T>, skipped: string | undefined): Record<string, T> {
  const copy = Object.create(null) as Record<string, T>;
  for (const key of Object.keys(record)) if (key !== skipped) copy[key] = record[key] as T;
  return copy;
}

/** A copy with one entry set. */
export function withEntry<T>(record: IdRecord<T>, key: string, value: T): Record<string, T> {
  const copy = copyWithout(record, undefined);
  copy[key] = value;
  return copy;
}

export function withoutEntry<T>(record: IdRecord<T>, key: string): Record<string, T> {
  return copyWithout(record, key);
}

/** Sets an own data property on a record the caller owns (a fresh copy), even for "__proto__". */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
