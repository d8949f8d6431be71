// State maps are plain records (the ledger's snapshot codec stores them as JSON). Keys are user
// ids, so reads go through Object.hasOwn: `record['constructor']` must not find the prototype's.

export type IdRecord<T> = Readonly<Record<string, T>>;

export function lookup<T>(record: IdRecord<T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function has(record: IdRecord<unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** A copy with one entry set. A computed key defines an own property, even for "__proto__". */
export function withEntry<T>(record: IdRecord<T>, key: string, value: T): Record<string, T> {
  return { ...record, [key]: value };
}

export function withoutEntry<T>(record: IdRecord<T>, key: string): Record<string, T> {
  const copy: Record<string, T> = { ...record };
  delete copy[key];
  return copy;
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
