import type { EventMetadata, VerifyResult } from '../types';
import { canonicalJson } from './canonical-json';
import { eventHash } from './event-hash';

/** One stored event as verify sees it, with its stream's head row (null when the row is gone). */
export interface VerifyRow {
  streamId: string;
  streamVersion: bigint;
  globalPosition: bigint;
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  hash: string;
  prevHash: string | null;
  headVersion: bigint | null;
  headHash: string | null;
}

type BrokenLink = Extract<VerifyResult, { ok: false }>['firstBrokenLink'];

/**
 * Recomputes hash chains from rows fed in (stream_id, stream_version) order. Each row is checked
 * against the stored row before it, so one altered event yields one local break; the break
 * reported is the one with the lowest global position. Memory stays constant: one stream's tail.
 */
export class ChainVerifier {
  private eventsChecked = 0;
  private streamsChecked = 0;
  private first: BrokenLink | undefined;
  private previous: VerifyRow | undefined;

  push(row: VerifyRow): void {
    const previous = this.previous?.streamId === row.streamId ? this.previous : undefined;
    if (previous === undefined) {
      this.finishStream();
      this.streamsChecked += 1;
    }
    this.eventsChecked += 1;
    const expectedVersion = (previous?.streamVersion ?? 0n) + 1n;
    const expectedPrevHash = previous?.hash ?? null;
    if (row.streamVersion !== expectedVersion) {
      this.report(row, 'VERSION_GAP', expectedPrevHash ?? '', row.prevHash ?? '');
    } else if (row.prevHash !== expectedPrevHash) {
      this.report(row, 'PREVIOUS_HASH_MISMATCH', expectedPrevHash ?? '', row.prevHash ?? '');
    } else {
      const recomputed = recomputeHash(row);
      if (recomputed !== row.hash) this.report(row, 'HASH_MISMATCH', recomputed, row.hash);
    }
    this.previous = row;
  }

  /** A head row whose stream has no event at all (its events were removed). */
  pushOrphanHead(streamId: string, headVersion: bigint, headHash: string): void {
    this.streamsChecked += 1;
    this.consider({
      streamId,
      streamVersion: headVersion,
      globalPosition: 0n,
      reason: 'HEAD_MISMATCH',
      expectedHash: headHash,
      actualHash: '',
    });
  }

  result(): VerifyResult {
    this.finishStream();
    const counts = { eventsChecked: this.eventsChecked, streamsChecked: this.streamsChecked };
    return this.first === undefined
      ? { ok: true, ...counts }
      : { ok: false, ...counts, firstBrokenLink: this.first };
  }

  private finishStream(): void {
    const last = this.previous;
    this.previous = undefined;
    if (last === undefined) return;
    if (last.headVersion !== last.streamVersion || last.headHash !== last.hash) {
      this.report(last, 'HEAD_MISMATCH', last.headHash ?? '', last.hash);
    }
  }

  private report(
    row: VerifyRow,
    reason: BrokenLink['reason'],
    expectedHash: string,
    actualHash: string,
  ): void {
    this.consider({
      streamId: row.streamId,
      streamVersion: row.streamVersion,
      globalPosition: row.globalPosition,
      reason,
      expectedHash,
      actualHash,
    });
  }

  private consider(link: BrokenLink): void {
    if (this.first === undefined || link.globalPosition < this.first.globalPosition)
      this.first = link;
  }
}

function recomputeHash(row: VerifyRow): string {
  try {
    return eventHash({
      streamId: row.streamId,
      streamVersion: row.streamVersion,
      eventId: row.eventId,
      type: row.type,
      dataJson: canonicalJson(row.data),
      metadataJson: canonicalJson(row.metadata),
      prevHash: row.prevHash,
    });
  } catch {
    // A value the ledger would never have written (a float, say) was put there by hand.
    return 'unencodable';
  }
}
