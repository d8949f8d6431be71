import { InMemoryEventStore, type RecordedEvent } from '@plafond/ledger';
import { LruMap, StreamStates } from './reservation-caches';
import { CoalescedLookup } from './reservation-lookups';

type Added = { type: 'Added'; data: { amount: number } };
const added = (amount: number): Added => ({ type: 'Added', data: { amount } });
const sum = (state: number, event: RecordedEvent<Added>) => state + event.data.amount;

describe('LruMap', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('c', 3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
    expect(map.size).toBe(2);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruMap(0)).toThrow('positive integer');
  });
});

describe('StreamStates', () => {
  const setup = (fullLoadEvery = 5) => {
    const store = new InMemoryEventStore();
    const states = new StreamStates<number, Added>({ capacity: 4, fullLoadEvery, evolve: sum });
    let fullLoads = 0;
    const load = () =>
      store.transaction((tx) =>
        states.load(tx, 's', async () => {
          fullLoads += 1;
          const { state, currentVersion } = await tx.aggregateStream<number, Added>('s', sum, {
            initialState: () => 0,
          });
          return { state, version: currentVersion };
        }),
      );
    const append = (...amounts: number[]) => store.appendToStream('s', amounts.map(added));
    return { states, load, append, fullLoads: () => fullLoads };
  };

  it('catches a remembered state up with the events appended since, without a full load', async () => {
    const { load, append, fullLoads } = setup();
    await append(1, 2);
    expect(await load()).toEqual({ state: 3, version: 2n });
    await append(10);
    expect(await load()).toMatchObject({ state: 13, version: 3n });
    expect(await load()).toMatchObject({ state: 13, version: 3n });
    expect(fullLoads()).toBe(1);
  });

  it('loads in full again once fullLoadEvery events were folded from the cache', async () => {
    const { load, append, fullLoads } = setup(3);
    await append(1);
    await load();
    await append(1, 1);
    await load();
    expect(fullLoads()).toBe(1);
    await append(1);
    expect(await load()).toMatchObject({ state: 4, version: 4n });
    expect(fullLoads()).toBe(2);
  });

  it('remembers a committed state only ahead of what it holds, and forgets on demand', async () => {
    const { states, load, append, fullLoads } = setup();
    await append(1);
    await load();
    states.remember('s', 99, 1n); // not ahead: ignored
    await append(2);
    expect(await load()).toMatchObject({ state: 3, version: 2n });
    states.remember('s', 7, 3n); // a state the caller committed at version 3
    await append(5); // the stream's version 3 (the test plays both parts) ...
    expect(await load()).toMatchObject({ state: 7, version: 3n }); // ... is not read again
    states.forget('s');
    expect(await load()).toMatchObject({ state: 8, version: 3n });
    expect(fullLoads()).toBe(2);
  });

  it('does not remember a stream that does not exist yet', async () => {
    const { load, append, fullLoads } = setup();
    expect(await load()).toEqual({ state: 0, version: 0n });
    await append(4);
    expect(await load()).toMatchObject({ state: 4, version: 1n });
    expect(fullLoads()).toBe(2);
  });
});

describe('CoalescedLookup', () => {
  it('answers the look-ups of one turn with one fetch of the distinct keys', async () => {
    const fetched: string[][] = [];
    const lookup = new CoalescedLookup<string, number>(10, (keys) => {
      fetched.push(keys);
      return Promise.resolve(
        new Map(keys.filter((key) => key !== 'missing').map((key) => [key, key.length])),
      );
    });
    const answers = await Promise.all(['a', 'bb', 'a', 'missing'].map((key) => lookup.get(key)));
    expect(answers).toEqual([1, 2, 1, undefined]);
    expect(fetched).toEqual([['a', 'bb', 'missing']]);
    expect(await lookup.get('ccc')).toBe(3);
    expect(fetched).toHaveLength(2);
  });

  it('splits a turn into fetches of at most maxKeys, and fails only the keys of a failed fetch', async () => {
    // This fetch throws at once instead of rejecting: its waiters fail all the same.
    const lookup = new CoalescedLookup<number, number>(2, (keys) => {
      if (keys.includes(3)) throw new Error('fetch failed');
      return Promise.resolve(new Map(keys.map((key) => [key, key * 10])));
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((key) => lookup.get(key)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
  });
});
