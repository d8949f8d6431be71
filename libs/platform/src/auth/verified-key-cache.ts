import type { ApiKeyRecord } from './api-key.store';

export interface VerifiedKeyCacheOptions {
  /** 0 disables the cache. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  /** Monotonic milliseconds; `performance.now()` by default. */
  readonly now?: () => number;
}

interface Entry {
  readonly record: ApiKeyRecord;
  readonly expiresAtMs: number;
}

/**
 * Active key rows that verified recently, by key id, so a busy client costs one table read per
 * TTL rather than one per request. The secret is still compared on every request (the cache
 * holds the stored hash, never a presented secret). Revoking a key deletes it here at once; other
 * instances keep trusting it until their entry expires (at most the TTL).
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Bumped by every removal, so a read started before a revocation does not re-cache the key. */
  private generation = 0;

  constructor(private readonly options: VerifiedKeyCacheOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.entries.size;
  }

  /** Pass to `set` to drop the write if something was removed in between. */
  currentGeneration(): number {
    return this.generation;
  }

  get(keyId: string): ApiKeyRecord | undefined {
    const entry = this.entries.get(keyId);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.entries.delete(keyId);
      return undefined;
    }
    return entry.record;
  }

  set(record: ApiKeyRecord, generation: number): void {
    if (this.options.ttlMs <= 0 || generation !== this.generation) return;
    if (record.revokedAt !== null) return;
    this.entries.delete(record.keyId);
    // Maps iterate in insertion order: the first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(record.keyId, { record, expiresAtMs: this.now() + this.options.ttlMs });
  }

  delete(keyId: string): void {
    this.generation += 1;
    this.entries.delete(keyId);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
