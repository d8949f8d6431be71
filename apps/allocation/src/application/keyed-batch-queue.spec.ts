import { KeyedBatchQueue, type Settled } from './keyed-batch-queue';

class Full extends Error {
  readonly code = 'RESERVATION.BUSY';
}

function recordingQueue(
  options: { maxBatchSize?: number; maxQueued?: number; fail?: (jobs: number[]) => boolean } = {},
) {
  const batches: { key: string; jobs: number[] }[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const queue = new KeyedBatchQueue<number, number>({
    maxBatchSize: options.maxBatchSize ?? 3,
    maxQueued: options.maxQueued ?? 100,
    full: () => new Full('full'),
    run: async (key, jobs) => {
      batches.push({ key, jobs });
      if (gate !== undefined) await gate;
      if (options.fail?.(jobs) === true) throw new Error(`batch ${jobs.join(',')} failed`);
      return jobs.map((job): Settled<number> =>
        job < 0 ? { ok: false, error: new Error(`refused ${job}`) } : { ok: true, value: job * 10 },
      );
    },
  });
  return {
    queue,
    batches,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    open() {
      gate = undefined;
      release?.();
    },
  };
}

describe('KeyedBatchQueue', () => {
  it('answers each job in order, calls of one turn sharing batches of at most maxBatchSize', async () => {
    const { queue, batches } = recordingQueue();
    const results = await Promise.all([1, 2, 3, 4, 5].map((job) => queue.enqueue('a', job)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      { key: 'a', jobs: [1, 2, 3] },
      { key: 'a', jobs: [4, 5] },
    ]);
    expect(queue.size).toBe(0);
  });

  it('batches what arrives while a batch of the key is running, keys independently', async () => {
    const kit = recordingQueue({ maxBatchSize: 10 });
    kit.hold();
    const first = kit.queue.enqueue('a', 1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((job) => kit.queue.enqueue('a', job));
    const other = kit.queue.enqueue('b', 7);
    await new Promise((resolve) => setImmediate(resolve));
    kit.open();
    expect(await Promise.all([first, ...later, other])).toEqual([10, 20, 30, 40, 70]);
    expect(kit.batches).toEqual([
      { key: 'a', jobs: [1] },
      { key: 'b', jobs: [7] },
      { key: 'a', jobs: [2, 3, 4] },
    ]);
  });

  it('rejects a refused job alone, and every job of a batch that throws', async () => {
    const { queue } = recordingQueue({ fail: (jobs) => jobs.includes(99) });
    const mixed = await Promise.allSettled([
      queue.enqueue('a', 1),
      queue.enqueue('a', -2),
      queue.enqueue('a', 3),
    ]);
    expect(mixed.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failed = await Promise.allSettled([queue.enqueue('b', 98), queue.enqueue('b', 99)]);
    expect(failed.every((result) => result.status === 'rejected')).toBe(true);
    expect(await queue.enqueue('b', 4)).toBe(40);
  });

  it('refuses at once beyond maxQueued jobs, and accepts again once answered', async () => {
    const kit = recordingQueue({ maxQueued: 3 });
    kit.hold();
    const accepted = [1, 2, 3].map((job) => kit.queue.enqueue('a', job));
    await expect(kit.queue.enqueue('b', 4)).rejects.toBeInstanceOf(Full);
    expect(kit.queue.size).toBe(3);
    await new Promise((resolve) => setImmediate(resolve));
    kit.open();
    await Promise.all(accepted);
    await kit.queue.idle();
    expect(await kit.queue.enqueue('b', 5)).toBe(50);
  });
});
