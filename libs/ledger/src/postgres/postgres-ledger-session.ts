import {
  aggregateStream,
  type AggregateSource,
  type Cutoff,
  type SnapshotRecord,
} from '../core/aggregate';
import { canonicalJson } from '../core/canonical-json';
import { ChainVerifier } from '../core/chain-verifier';
import {
  boundedCount,
  DEFAULT_READ_ALL_COUNT,
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
  VERIFY_PAGE_SIZE,
} from '../core/limits';
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
import { appendToStream } from './append';
import { toBigInt, toRecordedEvent } from './rows';
import type { EventRow, LedgerStatements } from './statements';
import type { StreamHeads } from './stream-head-cache';

const MAX_BIGINT = 9_223_372_036_854_775_807n;
/** Verify pages needed for 2^53 events: a bound no real store reaches. */
const MAX_VERIFY_PAGES = Math.ceil(Number.MAX_SAFE_INTEGER / VERIFY_PAGE_SIZE);

interface VerifyPageRow extends EventRow {
  prev_hash: string | null;
  head_version: string | null;
  head_hash: string | null;
}

interface SnapshotRow {
  stream_version: string;
  global_position: string;
  max_recorded_at: Date | string;
  last_hash: string;
  /** jsonb as text: a driver would parse a top-level JSON string into an ambiguous JS string. */
  state: string;
  checksum: string;
}

/** The ledger's operations on one executor: the pool (autocommit) or one open transaction. */
export class PostgresLedgerSession implements TransactionalEventStore, AggregateSource {
  constructor(
    readonly sql: SqlExecutor,
    private readonly statements: LedgerStatements,
    private readonly heads: StreamHeads,
    /** Opens a new transaction: given to the autocommit session only, absent inside a transaction. */
    private readonly newTransaction?: <T>(work: (sql: SqlExecutor) => Promise<T>) => Promise<T>,
    /** Told of each append that wrote events (the store's `ledger.after-commit` failpoint). */
    private readonly onAppended?: () => void,
  ) {}

  async appendToStream<E extends DomainEvent>(
    streamId: string,
    events: readonly EventToAppend<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const context = {
      sql: this.sql,
      statements: this.statements,
      heads: this.heads,
      autocommit: this.newTransaction !== undefined,
      inTransaction:
        this.newTransaction ?? (<T>(work: (sql: SqlExecutor) => Promise<T>) => work(this.sql)),
    };
    const result = await appendToStream(context, streamId, events, options);
    if (!result.idempotentReplay) this.onAppended?.();
    return result;
  }

  async readStream<E extends DomainEvent>(
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent<E>[]> {
    const fromVersion = options.fromVersion ?? 1n;
    const toVersion = options.toVersion ?? MAX_BIGINT;
    const maxCount = boundedCount(
      'maxCount',
      options.maxCount,
      MAX_READ_STREAM_COUNT,
      MAX_READ_STREAM_COUNT,
    );
    const rows = await this.sql.query<EventRow>(this.statements.readStream, [
      streamId,
      fromVersion.toString(),
      toVersion.toString(),
      maxCount,
    ]);
    return rows.map((row) => toRecordedEvent(row) as RecordedEvent<E>);
  }

  async aggregateStream<State, E extends DomainEvent>(
    streamId: string,
    evolve: (state: State, event: RecordedEvent<E>) => State,
    options: AggregateStreamOptions<State>,
  ): Promise<AggregateResult<State>> {
    const { result, lastHash } = await aggregateStream(this, streamId, evolve, options);
    // A load up to the head tells the next append its previous hash, saving a round trip.
    if (options.asOf === undefined && lastHash !== null) {
      this.heads.set(streamId, { version: result.currentVersion, hash: lastHash });
    }
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START_CHECKPOINT;
    const maxCount = boundedCount(
      'maxCount',
      options.maxCount,
      DEFAULT_READ_ALL_COUNT,
      MAX_READ_ALL_COUNT,
    );
    const rows = await this.sql.query<EventRow>(this.statements.readAll, [
      after.transactionId.toString(),
      after.globalPosition.toString(),
      maxCount,
    ]);
    const events = rows.map(toRecordedEvent);
    const last = events[events.length - 1];
    return {
      events,
      checkpoint:
        last === undefined
          ? after
          : { transactionId: last.transactionId, globalPosition: last.globalPosition },
    };
  }

  async verify(options: { streamId?: string } = {}): Promise<VerifyResult> {
    const verifier = new ChainVerifier();
    const streamId = options.streamId;
    let cursor: { streamId: string; version: bigint } = { streamId: streamId ?? '', version: 0n };
    for (let page = 0; page < MAX_VERIFY_PAGES; page++) {
      const params: unknown[] = [cursor.streamId, cursor.version.toString(), VERIFY_PAGE_SIZE];
      if (streamId !== undefined) params.push(streamId);
      const text =
        streamId === undefined ? this.statements.verifyPage : this.statements.verifyStreamPage;
      const rows = await this.sql.query<VerifyPageRow>(text, params);
      for (const row of rows) {
        const event = toRecordedEvent(row);
        verifier.push({
          ...event,
          prevHash: row.prev_hash,
          headVersion: row.head_version === null ? null : toBigInt(row.head_version),
          headHash: row.head_hash,
        });
        cursor = { streamId: event.streamId, version: event.streamVersion };
      }
      if (rows.length < VERIFY_PAGE_SIZE) break;
    }
    const orphans = await this.sql.query<{ stream_id: string; version: string; last_hash: string }>(
      this.statements.headsWithoutEvents,
      [streamId ?? null],
    );
    for (const orphan of orphans)
      verifier.pushOrphanHead(orphan.stream_id, toBigInt(orphan.version), orphan.last_hash);
    return verifier.result();
  }

  async loadSnapshots(
    streamId: string,
    name: string,
    cutoff: Cutoff,
    limit: number,
  ): Promise<SnapshotRecord[]> {
    const rows = await this.sql.query<SnapshotRow>(this.statements.loadSnapshots, [
      streamId,
      name,
      (cutoff.position ?? MAX_BIGINT).toString(),
      cutoff.at ?? 'infinity',
      limit,
    ]);
    return rows.map((row) => ({
      streamVersion: toBigInt(row.stream_version),
      globalPosition: toBigInt(row.global_position),
      maxRecordedAt:
        row.max_recorded_at instanceof Date ? row.max_recorded_at : new Date(row.max_recorded_at),
      lastHash: row.last_hash,
      stateJson: storedStateJson(row.state),
      checksum: row.checksum,
    }));
  }

  async saveSnapshot(
    streamId: string,
    name: string,
    snapshot: SnapshotRecord,
    keep: number,
  ): Promise<void> {
    await this.sql.query(this.statements.saveSnapshot, [
      streamId,
      name,
      snapshot.streamVersion.toString(),
      snapshot.globalPosition.toString(),
      snapshot.maxRecordedAt,
      snapshot.lastHash,
      snapshot.stateJson,
      snapshot.checksum,
      keep,
    ]);
  }
}

/**
 * jsonb reorders keys, so the state is re-encoded to the canonical text its checksum was taken
 * of. A state that cannot be encoded was not written by the ledger: its plain text then fails
 * the checksum, and the snapshot is rejected rather than failing the load.
 */
function storedStateJson(stateText: string): string {
  try {
    return canonicalJson(JSON.parse(stateText) as unknown, 'snapshot');
  } catch {
    return stateText;
  }
}
