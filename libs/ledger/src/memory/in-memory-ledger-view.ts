import {
  aggregateStream,
  type AggregateSource,
  type Cutoff,
  type SnapshotRecord,
} from '../core/aggregate';
import { ChainVerifier } from '../core/chain-verifier';
import { assertExpectation, toVersionExpectation } from '../core/expected-version';
import {
  boundedCount,
  DEFAULT_READ_ALL_COUNT,
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
} from '../core/limits';
import {
  chainEvents,
  prepareEvents,
  resolveReplay,
  type StoredEventIdentity,
} from '../core/prepare-events';
import { LedgerInvalidArgumentError } from '../errors';
import type {
  AggregateResult,
  AggregateStreamOptions,
  AppendOptions,
  AppendResult,
  DomainEvent,
  EventToAppend,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SqlExecutor,
  TransactionalEventStore,
  VerifyResult,
} from '../types';
import { START_CHECKPOINT } from '../types';
import {
  keepNewest,
  saveCommittedSnapshot,
  snapshotKey,
  toRecorded,
  type InMemoryLedgerState,
  type InMemoryStaging,
  type StoredEvent,
} from './in-memory-state';

const noSql: SqlExecutor = {
  query() {
    return Promise.reject(
      new LedgerInvalidArgumentError('the in-memory ledger has no SQL executor'),
    );
  },
};

/**
 * The in-memory ledger as seen by one reader: committed state, plus the staged writes of an
 * open transaction when there is one. Same checks and errors as the PostgreSQL session.
 */
export class InMemoryLedgerView implements TransactionalEventStore, AggregateSource {
  readonly sql = noSql;

  constructor(
    private readonly state: InMemoryLedgerState,
    private readonly staging: InMemoryStaging | undefined,
    private readonly now: () => Date,
  ) {}

  appendToStream<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return settle(() => this.append(streamId, events, options));
  }

  private append<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options: AppendOptions | undefined,
  ): AppendResult {
    const staging = this.staging;
    if (staging === undefined) throw new Error('appends go through a transaction');
    const prepared = prepareEvents(streamId, events);
    const expected = options?.expectedVersion;
    const expectation = toVersionExpectation(expected);
    const stored = prepared.flatMap((event) => {
      const found = event.clientChosenId ? this.findById(event.eventId) : undefined;
      return found === undefined ? [] : [identity(found)];
    });
    if (stored.length > 0) return resolveReplay(streamId, prepared, stored);
    const head = this.head(streamId);
    assertExpectation(streamId, expected, expectation, head.version);
    // As in PostgreSQL: one instant per append, never before the stream's previous append.
    const recordedAt = new Date(Math.max(this.now().getTime(), head.recordedAtMs));
    const chained = chainEvents(streamId, prepared, head.version, head.lastHash);
    for (const event of chained) {
      const storedEvent: StoredEvent = {
        ...event,
        streamId,
        globalPosition: this.state.nextGlobalPosition++,
        transactionId: staging.transactionId,
        recordedAt,
      };
      staging.events.push(storedEvent);
      staging.ids.set(event.eventId, storedEvent);
    }
    const last = staging.events[staging.events.length - 1]!;
    staging.heads.set(streamId, {
      version: last.streamVersion,
      lastHash: last.hash,
      recordedAtMs: recordedAt.getTime(),
    });
    return {
      streamId,
      nextExpectedVersion: last.streamVersion,
      lastGlobalPosition: last.globalPosition,
      idempotentReplay: false,
    };
  }

  readStream<E extends DomainEvent>(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    return settle(() => this.selectStream<E>(streamId, options));
  }

  private selectStream<E extends DomainEvent>(
    streamId: string,
    options: ReadStreamOptions,
  ): RecordedEvent<E>[] {
    const fromVersion = options.fromVersion ?? 1n;
    const toVersion = options.toVersion;
    const maxCount = boundedCount(
      'maxCount',
      options.maxCount,
      MAX_READ_STREAM_COUNT,
      MAX_READ_STREAM_COUNT,
    );
    const committed = this.state.streams.get(streamId)?.events ?? [];
    const staged = this.staging?.events.filter((event) => event.streamId === streamId) ?? [];
    const selected: RecordedEvent<E>[] = [];
    for (const event of [...committed, ...staged]) {
      if (selected.length >= maxCount) break;
      if (event.streamVersion < fromVersion) continue;
      if (toVersion !== undefined && event.streamVersion > toVersion) break;
      selected.push(toRecorded(event) as RecordedEvent<E>);
    }
    return selected;
  }

  async aggregateStream<State, E extends DomainEvent>(
    streamId: string,
    evolve: (state: State, event: RecordedEvent<E>) => State,
    options: AggregateStreamOptions<State>,
  ): Promise<AggregateResult<State>> {
    return (await aggregateStream(this, streamId, evolve, options)).result;
  }

  /** Committed events only: like PostgreSQL, a transaction does not see its own in readAll. */
  readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return settle(() => this.selectAll(options));
  }

  private selectAll(options: ReadAllOptions): ReadAllResult {
    const after = options.after ?? START_CHECKPOINT;
    const maxCount = boundedCount(
      'maxCount',
      options.maxCount,
      DEFAULT_READ_ALL_COUNT,
      MAX_READ_ALL_COUNT,
    );
    const events: RecordedEvent[] = [];
    for (const event of this.state.log) {
      if (events.length >= maxCount) break;
      const isAfter =
        event.transactionId > after.transactionId ||
        (event.transactionId === after.transactionId &&
          event.globalPosition > after.globalPosition);
      if (isAfter) events.push(toRecorded(event));
    }
    const last = events[events.length - 1];
    const checkpoint =
      last === undefined
        ? after
        : { transactionId: last.transactionId, globalPosition: last.globalPosition };
    return { events, checkpoint };
  }

  verify(options: { streamId?: string } = {}): Promise<VerifyResult> {
    return settle(() => this.verifyChains(options.streamId));
  }

  private verifyChains(only: string | undefined): VerifyResult {
    const verifier = new ChainVerifier();
    const streamIds = [...this.state.streams.keys()]
      .filter((streamId) => only === undefined || streamId === only)
      .sort();
    for (const streamId of streamIds) {
      const stream = this.state.streams.get(streamId)!;
      for (const event of stream.events) {
        verifier.push({
          ...toRecorded(event),
          prevHash: event.prevHash,
          headVersion: stream.version,
          headHash: stream.lastHash,
        });
      }
    }
    return verifier.result();
  }

  loadSnapshots(
    streamId: string,
    name: string,
    cutoff: Cutoff,
    limit: number,
  ): Promise<SnapshotRecord[]> {
    const key = snapshotKey(streamId, name);
    const staged =
      this.staging?.snapshots.filter((entry) => entry.key === key).map((entry) => entry.snapshot) ??
      [];
    const all = [...staged, ...(this.state.snapshots.get(key) ?? [])];
    const candidates = keepNewest(all, all.length)
      .filter(
        (snapshot) =>
          (cutoff.position === undefined || snapshot.globalPosition <= cutoff.position) &&
          (cutoff.at === undefined || snapshot.maxRecordedAt.getTime() <= cutoff.at.getTime()),
      )
      .slice(0, limit);
    return Promise.resolve(candidates.map((snapshot) => ({ ...snapshot })));
  }

  saveSnapshot(
    streamId: string,
    name: string,
    snapshot: SnapshotRecord,
    keep: number,
  ): Promise<void> {
    const entry = { key: snapshotKey(streamId, name), snapshot: { ...snapshot }, keep };
    if (this.staging !== undefined) this.staging.snapshots.push(entry);
    else saveCommittedSnapshot(this.state, entry);
    return Promise.resolve();
  }

  private head(streamId: string): {
    version: bigint;
    lastHash: string | null;
    recordedAtMs: number;
  } {
    const staged = this.staging?.heads.get(streamId);
    if (staged !== undefined) return staged;
    const stream = this.state.streams.get(streamId);
    const last = stream?.events[stream.events.length - 1];
    return stream === undefined || last === undefined
      ? { version: 0n, lastHash: null, recordedAtMs: 0 }
      : {
          version: stream.version,
          lastHash: stream.lastHash,
          recordedAtMs: last.recordedAt.getTime(),
        };
  }

  private findById(eventId: string): StoredEvent | undefined {
    return this.staging?.ids.get(eventId) ?? this.state.byId.get(eventId);
  }
}

/** Runs synchronous work so that a throw becomes a rejection, as with the PostgreSQL store. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

function identity(event: StoredEvent): StoredEventIdentity {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    type: event.type,
    dataJson: event.dataJson,
  };
}
