// Public types of the ledger. Kept free of any driver or framework import so that deciders,
// the in-memory store and the PostgreSQL store all share them.

/** Metadata carried by every event. `occurredAt` comes from the command (never from a clock in the domain). */
export interface EventMetadata {
  actor?: string;
  correlationId?: string;
  causationId?: string;
  /** ISO-8601 instant at which the fact happened in the business. */
  occurredAt?: string;
  /** Kafka partition key for the relay (usually the unit id); defaults to the stream id. */
  partitionKey?: string;
  [key: string]: unknown;
}

/** A JSON value as stored in the ledger. Quantities are integer strings, never floats. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/**
 * An event to append. An intersection (not an interface) so that a union of domain events stays a
 * discriminated union: `type` still narrows `data`.
 */
export type EventToAppend<E extends DomainEvent = DomainEvent> = E & {
  /** Client-chosen id (from an idempotency key). Same id + same content = no-op; different content = conflict. */
  eventId?: string;
  metadata?: EventMetadata;
};

/** What the store adds to a domain event when it records it. */
export interface RecordedEventFields {
  eventId: string;
  streamId: string;
  /** 1-based position of the event in its stream. */
  streamVersion: bigint;
  /** Position in the whole store; increases with insertion, not necessarily with commit order. */
  globalPosition: bigint;
  /** PostgreSQL transaction id (xid8) of the appending transaction. */
  transactionId: bigint;
  metadata: EventMetadata;
  /** Set by the database at insert (millisecond precision); not covered by the hash. */
  recordedAt: Date;
  /** Hex SHA-256 chained to the previous event of the same stream. */
  hash: string;
}

/** A stored event. Distributes over a union of domain events, so `switch (event.type)` narrows `data`. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & RecordedEventFields;

/**
 * `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no check;
 * a bigint/number: the stream's current version must equal it (0 = no stream).
 */
export type ExpectedVersion = bigint | number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  streamId: string;
  /** Version of the stream after the append. */
  nextExpectedVersion: bigint;
  /** Global position of the last appended event. */
  lastGlobalPosition: bigint;
  /** True when every event was an idempotent replay of an earlier append (nothing new was written). */
  idempotentReplay: boolean;
}

/** A read position in commit order: events strictly after it are returned. */
export interface GlobalCheckpoint {
  transactionId: bigint;
  globalPosition: bigint;
}

export const START_CHECKPOINT: GlobalCheckpoint = { transactionId: 0n, globalPosition: 0n };

export interface ReadStreamOptions {
  fromVersion?: bigint; // inclusive, default 1
  toVersion?: bigint; // inclusive
  maxCount?: number;
}

export interface ReadAllOptions {
  after?: GlobalCheckpoint;
  /** Bounded; implementations cap it (default 500, max 10 000). */
  maxCount?: number;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read starts; equals `after` when nothing new is visible. */
  checkpoint: GlobalCheckpoint;
}

/** A point in history for time travel: a global position (inclusive) or an instant (recorded-at, inclusive). */
export type AsOf = { position: bigint } | { at: Date };

/**
 * Snapshots keep loading a long stream cheap: the newest snapshot is loaded and only the events after
 * it are folded. A snapshot is written when a load folded at least `everyEvents` events past the last
 * one, so a load folds fewer than `everyEvents` events plus those appended since the previous load.
 * Snapshots are a verified cache: one whose checksum or anchor event does not match is skipped and
 * reported (`onRejected`, `AggregateResult.snapshotsRejected`); only the newest 2 are kept.
 */
export interface SnapshotOptions<State> {
  /**
   * Names the shape of State and the evolve function (e.g. `unit-balance.v3`). Change it whenever
   * either changes: snapshots written under another name are ignored.
   */
  name: string;
  /** Default 100; bounded to 1..10 000. */
  everyEvents?: number;
  /** State to JSON. The default handles plain JSON plus bigint and Date (tagged). */
  encode?: (state: State) => JsonValue;
  decode?: (json: JsonValue) => State;
  /** Called for each snapshot skipped by this load (log or count it: it means an edited row). */
  onRejected?: (rejection: SnapshotRejection) => void;
}

/**
 * A snapshot a load refused. `CHECKSUM_MISMATCH`: the row (state, version, anchor hash) was edited
 * after it was written. `ANCHOR_MISMATCH`: the event it was taken at is gone or has another hash.
 */
export interface SnapshotRejection {
  streamId: string;
  snapshotName: string;
  streamVersion: bigint;
  reason: 'CHECKSUM_MISMATCH' | 'ANCHOR_MISMATCH';
}

export interface AggregateStreamOptions<State> {
  asOf?: AsOf;
  initialState: () => State;
  snapshot?: SnapshotOptions<State>;
}

export interface AggregateResult<State> {
  state: State;
  currentVersion: bigint;
  streamExists: boolean;
  /** Events passed to evolve by this load (after the snapshot, if one was used). */
  eventsFolded: number;
  /** Snapshots this load skipped because their checksum or anchor did not match (normally 0). */
  snapshotsRejected: number;
}

export type VerifyResult =
  | { ok: true; eventsChecked: number; streamsChecked: number }
  | {
      ok: false;
      eventsChecked: number;
      streamsChecked: number;
      firstBrokenLink: {
        streamId: string;
        streamVersion: bigint;
        globalPosition: bigint;
        /** HEAD_MISMATCH: the stream's head row (version, last hash) disagrees with its last event (e.g. a deleted tail). */
        reason: 'HASH_MISMATCH' | 'PREVIOUS_HASH_MISMATCH' | 'VERSION_GAP' | 'HEAD_MISMATCH';
        expectedHash: string;
        actualHash: string;
      };
    };

/** Minimal SQL executor so the ledger can run inside a transaction owned by the caller (pg client or TypeORM QueryRunner). */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface EventStore {
  appendToStream<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream<E extends DomainEvent>(
    streamId: string,
    options?: ReadStreamOptions,
  ): Promise<RecordedEvent<E>[]>;
  aggregateStream<State, E extends DomainEvent>(
    streamId: string,
    evolve: (state: State, event: RecordedEvent<E>) => State,
    options: AggregateStreamOptions<State>,
  ): Promise<AggregateResult<State>>;
  /** Events in commit order, never skipping one committed late by a slower transaction. */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  verify(options?: { streamId?: string }): Promise<VerifyResult>;
  /** Runs `work` in one transaction; every append made through the given store commits or rolls back together. */
  transaction<T>(work: (tx: TransactionalEventStore) => Promise<T>): Promise<T>;
}

/** The store bound to an open transaction, plus the raw executor for read-model writes in the same transaction. */
export interface TransactionalEventStore extends Omit<EventStore, 'transaction'> {
  readonly sql: SqlExecutor;
}
