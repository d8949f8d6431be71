// The routing look-ups of reservation commands (where does this reservation live, which budget
// does a new one go to), coalesced: look-ups asked for in one turn of the event loop are answered
// by one statement for all of them. Under hundreds of concurrent callers a command then costs a
// share of a statement instead of a round trip of its own; a lone caller waits one
// `setImmediate` more. Each statement reads committed rows at the time it runs, as a look-up of
// its own would: these only route a command to its account's queue, where it is decided under
// the account's lock.

interface Waiter<Value> {
  resolve(value: Value | undefined): void;
  reject(error: unknown): void;
}

export class CoalescedLookup<Key, Value> {
  private waiting = new Map<Key, Waiter<Value>[]>();
  private scheduled = false;

  /**
   * `fetch` answers a set of distinct keys (at most `maxKeys`) in one statement; a key it leaves
   * out was not found.
   */
  constructor(
    private readonly maxKeys: number,
    private readonly fetch: (keys: Key[]) => Promise<ReadonlyMap<Key, Value>>,
  ) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
      throw new Error(`maxKeys must be a positive integer, got ${maxKeys}`);
  }

  get(key: Key): Promise<Value | undefined> {
    return new Promise<Value | undefined>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters === undefined) this.waiting.set(key, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = new Map();
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += this.maxKeys) {
      const chunk = keys.slice(start, start + this.maxKeys);
      const settle = (each: (waiter: Waiter<Value>, key: Key) => void) => {
        for (const key of chunk) for (const waiter of batch.get(key) ?? []) each(waiter, key);
      };
      // Through then(): a fetch that throws at once fails its waiters like one that rejects.
      void Promise.resolve(chunk)
        .then((distinct) => this.fetch(distinct))
        .then(
          (found) => settle((waiter, key) => waiter.resolve(found.get(key))),
          (error: unknown) => settle((waiter) => waiter.reject(error)),
        );
    }
  }
}
