import type { SnapshotRecord } from '../core/aggregate';
import type { EventMetadata, RecordedEvent } from '../types';

/** An event as the in-memory store keeps it: JSON text, like jsonb, so readers get fresh copies. */
export interface StoredEvent {
  eventId: string;
  streamId: string;
  streamVersion: bigint;
  globalPosition: bigint;
  transactionId: bigint;
  type: string;
  dataJson: string;
  metadataJson: string;
  recordedAt: Date;
  hash: string;
  prevHash: string | null;
}

export interface StreamState {
  version: bigint;
  lastHash: string;
  events: StoredEvent[];
}

/** Committed state of an in-memory ledger. */
export class InMemoryLedgerState {
  readonly log: StoredEvent[] = [];
  readonly streams = new Map<string, StreamState>();
  readonly byId = new Map<string, StoredEvent>();
  readonly snapshots = new Map<string, SnapshotRecord[]>();
  /** Like an identity sequence: consumed by rolled-back appends too, so positions can have gaps. */
  nextGlobalPosition = 1n;
  nextTransactionId = 1n;
}

/** Writes of one open transaction, applied to the state only on commit. */
export class InMemoryStaging {
  readonly events: StoredEvent[] = [];
  readonly heads = new Map<string, { version: bigint; lastHash: string; recordedAtMs: number }>();
  readonly ids = new Map<string, StoredEvent>();
  readonly snapshots: SnapshotEntry[] = [];

  constructor(readonly transactionId: bigint) {}

  commitTo(state: InMemoryLedgerState): void {
    for (const event of this.events) {
      state.log.push(event);
      state.byId.set(event.eventId, event);
      const stream = state.streams.get(event.streamId) ?? { version: 0n, lastHash: '', events: [] };
      stream.events.push(event);
      stream.version = event.streamVersion;
      stream.lastHash = event.hash;
      state.streams.set(event.streamId, stream);
    }
    for (const entry of this.snapshots) saveCommittedSnapshot(state, entry);
  }
}

export interface SnapshotEntry {
  key: string;
  snapshot: SnapshotRecord;
  /** How many of the key's snapshots to keep, newest first. */
  keep: number;
}

/** As the PostgreSQL statement: replaces a snapshot at the same version, keeps the newest few. */
export function saveCommittedSnapshot(state: InMemoryLedgerState, entry: SnapshotEntry): void {
  const others = (state.snapshots.get(entry.key) ?? []).filter(
    (existing) => existing.streamVersion !== entry.snapshot.streamVersion,
  );
  state.snapshots.set(entry.key, keepNewest([...others, entry.snapshot], entry.keep));
}

/** The `count` snapshots with the highest versions, newest first. */
export function keepNewest(snapshots: readonly SnapshotRecord[], count: number): SnapshotRecord[] {
  return [...snapshots]
    .sort((left, right) =>
      left.streamVersion === right.streamVersion
        ? 0
        : left.streamVersion < right.streamVersion
          ? 1
          : -1,
    )
    .slice(0, count);
}

export function snapshotKey(streamId: string, name: string): string {
  return `${streamId}\u0000${name}`;
}

export function toRecorded(event: StoredEvent): RecordedEvent {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    transactionId: event.transactionId,
    type: event.type,
    data: JSON.parse(event.dataJson) as unknown,
    metadata: JSON.parse(event.metadataJson) as EventMetadata,
    recordedAt: new Date(event.recordedAt.getTime()),
    hash: event.hash,
  };
}

/** One transaction at a time, like row locks serialising appenders in PostgreSQL. */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => undefined;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
