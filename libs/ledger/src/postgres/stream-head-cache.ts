import { STREAM_HEAD_CACHE_SIZE } from '../core/limits';

/** A stream's head as last seen: its version and the hash of its last event. */
export interface StreamHead {
  version: bigint;
  hash: string | null;
}

export interface StreamHeads {
  get(streamId: string): StreamHead | undefined;
  set(streamId: string, head: StreamHead): void;
}

/**
 * Remembers stream heads so that an append whose expectation matches needs no read first: its
 * one statement carries the previous hash. A stale entry costs one extra round trip and never a
 * wrong write, because the statement re-checks version and hash in the database.
 */
export class StreamHeadCache implements StreamHeads {
  private readonly heads = new Map<string, StreamHead>();

  constructor(private readonly capacity = STREAM_HEAD_CACHE_SIZE) {}

  get(streamId: string): StreamHead | undefined {
    return this.heads.get(streamId);
  }

  set(streamId: string, head: StreamHead): void {
    const known = this.heads.get(streamId);
    // Never move a head backwards: a slower reader may report an older head.
    if (known !== undefined && known.version > head.version) return;
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.capacity) {
      const oldest = this.heads.keys().next();
      if (oldest.done !== true) this.heads.delete(oldest.value);
    }
  }
}

/** Heads learnt inside a transaction reach the shared cache only if it commits. */
export class TransactionStreamHeads implements StreamHeads {
  private readonly local = new Map<string, StreamHead>();

  constructor(private readonly shared: StreamHeads) {}

  get(streamId: string): StreamHead | undefined {
    return this.local.get(streamId) ?? this.shared.get(streamId);
  }

  set(streamId: string, head: StreamHead): void {
    this.local.set(streamId, head);
  }

  commit(): void {
    for (const [streamId, head] of this.local) this.shared.set(streamId, head);
  }
}
