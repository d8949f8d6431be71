import { LedgerInvalidArgumentError } from '../errors';
import type {
  AggregateResult,
  AggregateStreamOptions,
  DomainEvent,
  RecordedEvent,
  SnapshotOptions,
  SnapshotRejection,
} from '../types';
import {
  DEFAULT_SNAPSHOT_EVERY_EVENTS,
  FOLD_PAGE_SIZE,
  MAX_SNAPSHOT_EVERY_EVENTS,
  SNAPSHOTS_KEPT_PER_STREAM,
} from './limits';
import {
  encodeSnapshotState,
  newestUsableSnapshot,
  snapshotChecksum,
  type AggregateSource,
  type Cutoff,
} from './snapshot-cache';

export type { AggregateSource, Cutoff, SnapshotRecord } from './snapshot-cache';

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
  let rejected = 0;
  const onRejected = (rejection: SnapshotRejection) => {
    rejected += 1;
    policy?.onRejected?.(rejection);
  };
  const usable = policy
    ? await newestUsableSnapshot(source, streamId, policy, cutoff, onRejected)
    : undefined;
  const fold: FoldState<State> =
    usable === undefined
      ? fresh(options.initialState())
      : {
          state: usable.state,
          version: usable.record.streamVersion,
          lastHash: usable.record.lastHash,
          globalPosition: usable.record.globalPosition,
          maxRecordedAt: usable.record.maxRecordedAt,
          folded: 0,
        };
  await foldTail(source, streamId, evolve, fold, cutoff);
  // Taken on loads only: a tail appended without loads is folded once by the next load, which
  // then snapshots it. After a rejection any fold is saved, replacing a bad row at its version.
  if (policy && options.asOf === undefined && (fold.folded >= every || rejected > 0))
    await saveFold(source, streamId, policy, fold);
  return {
    result: {
      state: fold.state,
      currentVersion: fold.version,
      streamExists: fold.version > 0n,
      eventsFolded: fold.folded,
      snapshotsRejected: rejected,
    },
    lastHash: fold.lastHash,
  };
}

async function saveFold<State>(
  source: AggregateSource,
  streamId: string,
  policy: SnapshotOptions<State>,
  fold: FoldState<State>,
): Promise<void> {
  if (fold.lastHash === null || fold.folded === 0) return;
  const record = {
    streamVersion: fold.version,
    globalPosition: fold.globalPosition,
    maxRecordedAt: fold.maxRecordedAt,
    lastHash: fold.lastHash,
    stateJson: encodeSnapshotState(policy, fold.state),
  };
  const checksum = snapshotChecksum(streamId, policy.name, record);
  await source.saveSnapshot(
    streamId,
    policy.name,
    { ...record, checksum },
    SNAPSHOTS_KEPT_PER_STREAM,
  );
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
