import { LedgerInvalidArgumentError } from '../errors';
import type {
  AggregateResult,
  AggregateStreamOptions,
  DomainEvent,
  JsonValue,
  ReadStreamOptions,
  RecordedEvent,
  SnapshotOptions,
} from '../types';
import { canonicalJson } from './canonical-json';
import { DEFAULT_SNAPSHOT_EVERY_EVENTS, FOLD_PAGE_SIZE, MAX_SNAPSHOT_EVERY_EVENTS } from './limits';
import { decodeState, encodeState } from './state-codec';

export interface SnapshotRecord {
  streamVersion: bigint;
  /** Position and newest recorded-at of the events folded into it, for time travel. */
  globalPosition: bigint;
  maxRecordedAt: Date;
  /** Hash of the event at `streamVersion`: the snapshot is used only if history still has it. */
  lastHash: string;
  /** Canonical JSON of the encoded state. */
  stateJson: string;
}

/** A point in history; both bounds apply (the absent one is +infinity). */
export interface Cutoff {
  position: bigint | undefined;
  at: Date | undefined;
}

/** What both stores provide so that loading an aggregate has one implementation. */
export interface AggregateSource {
  readStream(streamId: string, options: ReadStreamOptions): Promise<RecordedEvent[]>;
  loadSnapshot(streamId: string, name: string, cutoff: Cutoff): Promise<SnapshotRecord | undefined>;
  saveSnapshot(streamId: string, name: string, snapshot: SnapshotRecord): Promise<void>;
}

export interface FoldOutcome<State> {
  result: AggregateResult<State>;
  /** Hash of the last event folded (null for an empty stream). */
  lastHash: string | null;
}

interface FoldState<State> {
  state: State;
  version: bigint;
  lastHash: string | null;
  globalPosition: bigint;
  maxRecordedAt: Date;
  folded: number;
}

/** Pages needed to fold a stream of 2^53 events: a loop bound no real stream reaches. */
const MAX_FOLD_PAGES = Math.ceil(Number.MAX_SAFE_INTEGER / FOLD_PAGE_SIZE);

export async function aggregateStream<State, E extends DomainEvent>(
  source: AggregateSource,
  streamId: string,
  evolve: (state: State, event: RecordedEvent<E>) => State,
  options: AggregateStreamOptions<State>,
): Promise<FoldOutcome<State>> {
  const cutoff: Cutoff = {
    position:
      options.asOf !== undefined && 'position' in options.asOf ? options.asOf.position : undefined,
    at: options.asOf !== undefined && 'at' in options.asOf ? options.asOf.at : undefined,
  };
  const policy = options.snapshot;
  const every = policy ? snapshotEvery(policy) : 0;
  const snapshot = policy ? await source.loadSnapshot(streamId, policy.name, cutoff) : undefined;
  let fold = snapshot && policy ? await resumeFrom(source, streamId, snapshot, policy) : undefined;
  fold ??= fresh(options.initialState());
  await foldTail(source, streamId, evolve, fold, cutoff);
  if (policy && options.asOf === undefined && fold.folded >= every && fold.lastHash !== null) {
    await source.saveSnapshot(streamId, policy.name, {
      streamVersion: fold.version,
      globalPosition: fold.globalPosition,
      maxRecordedAt: fold.maxRecordedAt,
      lastHash: fold.lastHash,
      stateJson: canonicalJson(
        policy.encode ? policy.encode(fold.state) : encodeState(fold.state),
        'snapshot',
      ),
    });
  }
  return {
    result: {
      state: fold.state,
      currentVersion: fold.version,
      streamExists: fold.version > 0n,
      eventsFolded: fold.folded,
    },
    lastHash: fold.lastHash,
  };
}

export function snapshotEvery(policy: { everyEvents?: number }): number {
  const every = policy.everyEvents ?? DEFAULT_SNAPSHOT_EVERY_EVENTS;
  if (!Number.isSafeInteger(every) || every < 1 || every > MAX_SNAPSHOT_EVERY_EVENTS) {
    throw new LedgerInvalidArgumentError(
      `snapshot.everyEvents must be 1..${MAX_SNAPSHOT_EVERY_EVENTS}, got ${every}`,
    );
  }
  return every;
}

function fresh<State>(state: State): FoldState<State> {
  return {
    state,
    version: 0n,
    lastHash: null,
    globalPosition: 0n,
    maxRecordedAt: new Date(0),
    folded: 0,
  };
}

/** Uses the snapshot only if the event it was taken at is still in history with the same hash. */
async function resumeFrom<State>(
  source: AggregateSource,
  streamId: string,
  snapshot: SnapshotRecord,
  policy: SnapshotOptions<State>,
): Promise<FoldState<State> | undefined> {
  const [anchor] = await source.readStream(streamId, {
    fromVersion: snapshot.streamVersion,
    maxCount: 1,
  });
  if (anchor?.streamVersion !== snapshot.streamVersion || anchor.hash !== snapshot.lastHash)
    return undefined;
  const json = JSON.parse(snapshot.stateJson) as JsonValue;
  return {
    state: policy.decode ? policy.decode(json) : (decodeState(json) as State),
    version: snapshot.streamVersion,
    lastHash: snapshot.lastHash,
    globalPosition: snapshot.globalPosition,
    maxRecordedAt: snapshot.maxRecordedAt,
    folded: 0,
  };
}

/**
 * Folds in version order and stops at the first event past the cutoff, so the result is always a
 * prefix of the stream (a consistent state) even if recorded-at ever went backwards.
 */
async function foldTail<State, E extends DomainEvent>(
  source: AggregateSource,
  streamId: string,
  evolve: (state: State, event: RecordedEvent<E>) => State,
  fold: FoldState<State>,
  cutoff: Cutoff,
): Promise<void> {
  for (let page = 0; page < MAX_FOLD_PAGES; page++) {
    const events = await source.readStream(streamId, {
      fromVersion: fold.version + 1n,
      maxCount: FOLD_PAGE_SIZE,
    });
    for (const event of events) {
      if (cutoff.position !== undefined && event.globalPosition > cutoff.position) return;
      if (cutoff.at !== undefined && event.recordedAt.getTime() > cutoff.at.getTime()) return;
      fold.state = evolve(fold.state, event as RecordedEvent<E>);
      fold.version = event.streamVersion;
      fold.lastHash = event.hash;
      fold.globalPosition = event.globalPosition;
      if (event.recordedAt > fold.maxRecordedAt) fold.maxRecordedAt = event.recordedAt;
      fold.folded += 1;
    }
    if (events.length < FOLD_PAGE_SIZE) return;
  }
  throw new LedgerInvalidArgumentError(`stream "${streamId}" is longer than the fold bound`);
}
