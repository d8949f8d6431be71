// An in-process queue per key (an account stream) that hands jobs to `run` in batches: while one
// batch of a key is in its transaction, later jobs of that key wait and go together in the next.
// Keys run independently. Bounded: beyond `maxQueued` jobs in the process (waiting or in a
// batch), enqueue refuses at once instead of letting latency and memory grow.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface KeyedBatchQueueOptions<Job, Result> {
  maxBatchSize: number;
  maxQueued: number;
  /** One result per job, in order; a throw fails every job of the batch with that error. */
  run(key: string, jobs: Job[]): Promise<Settled<Result>[]>;
  /** The error to reject with when the queue is full. */
  full(queued: number, limit: number): Error;
}

interface Entry<Job, Result> {
  job: Job;
  resolve(value: Result): void;
  reject(error: unknown): void;
}

export class KeyedBatchQueue<Job, Result> {
  private readonly waiting = new Map<string, Entry<Job, Result>[]>();
  private readonly draining = new Set<Promise<void>>();
  private queued = 0;

  constructor(private readonly options: KeyedBatchQueueOptions<Job, Result>) {
    for (const bound of [options.maxBatchSize, options.maxQueued])
      if (!Number.isSafeInteger(bound) || bound < 1)
        throw new Error(`queue bounds must be positive integers, got ${bound}`);
  }

  /** Jobs accepted and not yet answered, all keys together. */
  get size(): number {
    return this.queued;
  }

  enqueue(key: string, job: Job): Promise<Result> {
    if (this.queued >= this.options.maxQueued)
      return Promise.reject(this.options.full(this.queued, this.options.maxQueued));
    return new Promise<Result>((resolve, reject) => {
      this.queued += 1;
      const entries = this.waiting.get(key);
      if (entries !== undefined) {
        entries.push({ job, resolve, reject });
        return;
      }
      this.waiting.set(key, [{ job, resolve, reject }]);
      // Started on the next turn of the event loop: calls made in the same turn share a batch.
      const drained: Promise<void> = new Promise<void>((done) => setImmediate(done))
        .then(() => this.drain(key))
        .finally(() => this.draining.delete(drained));
      this.draining.add(drained);
    });
  }

  /** Resolves once every accepted job has been answered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining]);
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const entries = this.waiting.get(key);
      if (entries === undefined || entries.length === 0) {
        this.waiting.delete(key);
        return;
      }
      const batch = entries.splice(0, this.options.maxBatchSize);
      let results: Settled<Result>[];
      try {
        results = await this.options.run(
          key,
          batch.map((entry) => entry.job),
        );
      } catch (error) {
        results = batch.map(() => ({ ok: false, error }));
      }
      batch.forEach((entry, index) => {
        const result = results[index] ?? { ok: false, error: new Error('batch gave no result') };
        if (result.ok) entry.resolve(result.value);
        else entry.reject(result.error);
      });
      this.queued -= batch.length;
    }
  }
}
