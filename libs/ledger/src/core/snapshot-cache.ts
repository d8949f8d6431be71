import * as crypto from 'node:crypto';

import type {
  JsonValue,
  ReadStreamOptions,
  RecordedEvent,
  SnapshotOptions,
  SnapshotRejection,
} from '../types';
import { canonicalJson } from './canonical-json';
import { SNAPSHOTS_KEPT_PER_STREAM } from './limits';
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
  /** `snapshotChecksum` of the fields above, the stream and the snapshot name. */
  checksum: string;
}

/** A point in history; both bounds apply (the absent one is +infinity). */
export interface Cutoff {
  position: bigint | undefined;
  at: Date | undefined;
}

/** What both stores provide so that loading an aggregate has one implementation. */
export interface AggregateSource {
  readStream(streamId: string, options: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The newest snapshots under `name` within the cutoff, newest first, at most `limit`. */
  loadSnapshots(
    streamId: string,
    name: string,
    cutoff: Cutoff,
    limit: number,
  ): Promise<SnapshotRecord[]>;
  /** Writes (or replaces) the snapshot and keeps only the newest `keep` of the stream and name. */
  saveSnapshot(
    streamId: string,
    name: string,
    snapshot: SnapshotRecord,
    keep: number,
  ): Promise<void>;
}

export interface UsableSnapshot<State> {
  state: State;
  record: SnapshotRecord;
}

/**
 * SHA-256 (hex) of the canonical JSON of `{ lastHash, name, state, streamId, streamVersion }`,
 * `state` being the canonical JSON text of the encoded state. Binding the stream, version and
 * anchor hash means a row copied to another stream, version or name fails the check too.
 */
export function snapshotChecksum(
  streamId: string,
  name: string,
  snapshot: Pick<SnapshotRecord, 'streamVersion' | 'lastHash' | 'stateJson'>,
): string {
  const text = canonicalJson({
    lastHash: snapshot.lastHash,
    name,
    state: snapshot.stateJson,
    streamId,
    streamVersion: snapshot.streamVersion.toString(),
  });
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

export function encodeSnapshotState<State>(policy: SnapshotOptions<State>, state: State): string {
  return canonicalJson(policy.encode ? policy.encode(state) : encodeState(state), 'snapshot');
}

/**
 * The newest snapshot that passes both checks: its checksum (the row was not edited) and its
 * anchor (the event it was taken at still has the hash it recorded). Each one skipped is
 * reported; the caller then folds from the next older one, or from the start.
 */
export async function newestUsableSnapshot<State>(
  source: AggregateSource,
  streamId: string,
  policy: SnapshotOptions<State>,
  cutoff: Cutoff,
  onRejected: (rejection: SnapshotRejection) => void,
): Promise<UsableSnapshot<State> | undefined> {
  const candidates = await source.loadSnapshots(
    streamId,
    policy.name,
    cutoff,
    SNAPSHOTS_KEPT_PER_STREAM,
  );
  for (const record of candidates) {
    const reason = await rejectionReason(source, streamId, policy.name, record);
    if (reason === undefined) {
      const json = JSON.parse(record.stateJson) as JsonValue;
      const state = policy.decode ? policy.decode(json) : (decodeState(json) as State);
      return { state, record };
    }
    onRejected({
      streamId,
      snapshotName: policy.name,
      streamVersion: record.streamVersion,
      reason,
    });
  }
  return undefined;
}

async function rejectionReason(
  source: AggregateSource,
  streamId: string,
  name: string,
  record: SnapshotRecord,
): Promise<SnapshotRejection['reason'] | undefined> {
  if (snapshotChecksum(streamId, name, record) !== record.checksum) return 'CHECKSUM_MISMATCH';
  const [anchor] = await source.readStream(streamId, {
    fromVersion: record.streamVersion,
    maxCount: 1,
  });
  if (anchor?.streamVersion !== record.streamVersion || anchor.hash !== record.lastHash)
    return 'ANCHOR_MISMATCH';
  return undefined;
}
