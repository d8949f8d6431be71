// What the reservation hot path remembers between batches, so a batch does not rebuild it from
// PostgreSQL each time. Both caches are bounded and neither is ever the authority:
// - a reservation's account (budget, unit, dimension) never changes once granted, so a release or
//   commit of a reservation this process granted or looked up skips the index look-up;
// - a stream's state is remembered with its version; a batch, holding the stream's lock, reads
//   only the events after that version (usually none) and folds them. The append still states the
//   version it decided at, so a stale entry can cost a retry, never a wrong decision.
import type { DomainEvent, RecordedEvent, TransactionalEventStore } from '@plafond/ledger';
import type { Loaded } from './streams';

/** A Map that forgets its least recently used entry beyond `capacity`. */
export class LruMap<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`cache capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: Key): Value | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Map iterates in insertion order: re-inserting makes the entry the most recent.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: Key, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: Key): void {
    this.entries.delete(key);
  }
}

interface Remembered<State> extends Loaded<State> {
  /** Version of the last full load (snapshot + tail), which is also what writes snapshots. */
  fullAt: bigint;
}

export interface StreamStatesOptions<State, E extends DomainEvent> {
  capacity: number;
  /**
   * After this many events folded from the cache, the next load is a full one again. Snapshots
   * are written by full loads only, so this bounds what any other reader of the stream (a
   * balance, another instance, a restart) folds past the newest snapshot.
   */
  fullLoadEvery: number;
  evolve: (state: State, event: RecordedEvent<E>) => State;
}

/** States of streams this process decides on, caught up from their tails under the stream lock. */
export class StreamStates<State, E extends DomainEvent = DomainEvent> {
  private readonly entries: LruMap<string, Remembered<State>>;

  constructor(private readonly options: StreamStatesOptions<State, E>) {
    this.entries = new LruMap(options.capacity);
  }

  /**
   * The stream's state now, read in `tx` (for a stream the batch decides on: after taking its
   * lock). `fullLoad` is the load without this cache: newest usable snapshot, then the tail.
   */
  async load(
    tx: TransactionalEventStore,
    streamId: string,
    fullLoad: () => Promise<Loaded<State>>,
  ): Promise<Loaded<State>> {
    const { evolve, fullLoadEvery } = this.options;
    const cached = this.entries.get(streamId);
    if (cached !== undefined && cached.version - cached.fullAt < BigInt(fullLoadEvery)) {
      const tail = await tx.readStream<E>(streamId, {
        fromVersion: cached.version + 1n,
        maxCount: fullLoadEvery,
      });
      const last = tail.at(-1);
      if (last === undefined) return cached;
      if (last.streamVersion - cached.fullAt < BigInt(fullLoadEvery)) {
        const caught = {
          ...cached,
          state: tail.reduce(evolve, cached.state),
          version: last.streamVersion,
        };
        this.entries.set(streamId, caught);
        return caught;
      }
    }
    const loaded = await fullLoad();
    // An absent stream is not remembered: its first write may come with a seed (the catalog's)
    // that a fold from version 1 would apply twice.
    if (loaded.version > 0n) this.entries.set(streamId, { ...loaded, fullAt: loaded.version });
    else this.entries.delete(streamId);
    return loaded;
  }

  /**
   * After a commit: the state the transaction left at `version`. Only what has committed may be
   * remembered; after a failure whose outcome is unknown, `forget` (the next load reads it).
   */
  remember(streamId: string, state: State, version: bigint): void {
    const cached = this.entries.get(streamId);
    if (cached === undefined || version <= cached.version) return;
    this.entries.set(streamId, { state, version, fullAt: cached.fullAt });
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }
}
