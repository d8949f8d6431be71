import {
  assertExpectation,
  toVersionExpectation,
  type VersionExpectation,
} from '../core/expected-version';
import { MAX_APPEND_ATTEMPTS } from '../core/limits';
import {
  chainEvents,
  prepareEvents,
  resolveReplay,
  type ChainedEvent,
  type PreparedEvent,
  type StoredEventIdentity,
} from '../core/prepare-events';
import { canonicalJson } from '../core/canonical-json';
import { LedgerConcurrencyError, LedgerIdempotencyConflictError } from '../errors';
import type {
  AppendOptions,
  AppendResult,
  DomainEvent,
  EventToAppend,
  ExpectedVersion,
  SqlExecutor,
} from '../types';
import { toBigInt } from './rows';
import type { AppendRow, LedgerStatements } from './statements';
import type { StreamHead, StreamHeads } from './stream-head-cache';

export interface AppendContext {
  sql: SqlExecutor;
  statements: LedgerStatements;
  heads: StreamHeads;
  /**
   * True outside a caller's transaction: each attempt is a transaction of its own, so a refusal
   * for transaction order is retried here; inside a unit of work it is the caller's to retry.
   */
  autocommit: boolean;
  /** Runs `work` in a transaction (the open one, or a new one) so a row lock outlives a statement. */
  inTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Optimistic statements before an `any` / `stream_exists` append queues on the head row lock. */
const OPTIMISTIC_APPEND_ATTEMPTS = 2;

/**
 * Appends in one statement when the stream head is known (cached, or a new stream), otherwise
 * in two: a probe that learns the head, then the write. The loop only repeats when the head
 * moved between two statements and the expectation still allows the append (`any`, or
 * `stream_exists`); after two such misses the append locks the head row first (SELECT ... FOR
 * UPDATE), so a busy stream cannot starve it. The loop is bounded all the same; running out is
 * reported as a concurrency error. A head last written by a transaction with a larger id refuses
 * the append (see the append statement): in autocommit the next attempt is a new transaction
 * with a new id, inside a unit of work the typed error tells the caller to retry it whole.
 */
export async function appendToStream<E extends DomainEvent>(
  context: AppendContext,
  streamId: string,
  events: readonly EventToAppend<E>[],
  options: AppendOptions | undefined,
): Promise<AppendResult> {
  const prepared = prepareEvents(streamId, events);
  const expected = options?.expectedVersion;
  const expectation = toVersionExpectation(expected);
  const request: AppendRequest = { streamId, prepared, expected: expected ?? 'any' };
  let guess = firstGuess(expectation, context.heads.get(streamId));
  const mayQueue = expectation.kind === 'any' || expectation.kind === 'stream_exists';
  for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
    const { row, last } =
      mayQueue && attempt > OPTIMISTIC_APPEND_ATTEMPTS
        ? await appendLocked(context, request, (head) =>
            assertExpectation(streamId, expected, expectation, head),
          )
        : await runAppend(context, request, guess);
    if (row.last_position !== null && last !== undefined) {
      context.heads.set(streamId, { version: last.streamVersion, hash: last.hash });
      return {
        streamId,
        nextExpectedVersion: last.streamVersion,
        lastGlobalPosition: toBigInt(row.last_position),
        idempotentReplay: false,
      };
    }
    const stored = parseExisting(row.existing);
    if (stored.length > 0) return resolveReplay(streamId, prepared, stored);
    const current: StreamHead = {
      version: row.current_version === null ? 0n : toBigInt(row.current_version),
      hash: row.current_hash,
    };
    assertExpectation(streamId, expected, expectation, current.version);
    if (row.order_conflict === true && !context.autocommit) {
      throw new LedgerConcurrencyError(
        streamId,
        expected ?? 'any',
        current.version,
        'RETRYABLE_TRANSACTION_ORDER',
      );
    }
    // Equal to the guess means the head moved after this statement's snapshot was taken; the
    // next statement gets a fresh snapshot (read committed) and sees it.
    guess = current;
  }
  throw new LedgerConcurrencyError(streamId, expected ?? 'any', undefined, 'RETRIES_EXHAUSTED');
}

/** Locks the head row for the rest of the transaction, then appends on the head it holds. */
function appendLocked(
  context: AppendContext,
  request: AppendRequest,
  check: (headVersion: bigint) => void,
): Promise<StatementOutcome> {
  return context.inTransaction(async (sql) => {
    const [locked] = await sql.query<{ version: string; last_hash: string }>(
      context.statements.lockStreamHead,
      [request.streamId],
    );
    const head: StreamHead =
      locked === undefined
        ? { version: 0n, hash: null }
        : { version: toBigInt(locked.version), hash: locked.last_hash };
    check(head.version);
    return runAppend({ ...context, sql }, request, head);
  });
}

/** undefined = the head is unknown: the first statement only probes it. */
function firstGuess(
  expectation: VersionExpectation,
  cached: StreamHead | undefined,
): StreamHead | undefined {
  switch (expectation.kind) {
    case 'no_stream':
      return { version: 0n, hash: null };
    case 'exact':
      return cached?.version === expectation.version ? cached : undefined;
    case 'stream_exists':
      return cached !== undefined && cached.version > 0n ? cached : undefined;
    case 'any':
      return cached ?? { version: 0n, hash: null };
    default: {
      const unreachable: never = expectation;
      return unreachable;
    }
  }
}

interface AppendRequest {
  streamId: string;
  prepared: readonly PreparedEvent[];
  expected: ExpectedVersion;
}

interface StatementOutcome {
  row: AppendRow;
  /** The last event as chained for this statement (undefined for a probe). */
  last: ChainedEvent | undefined;
}

async function runAppend(
  context: AppendContext,
  request: AppendRequest,
  guess: StreamHead | undefined,
): Promise<StatementOutcome> {
  const { streamId, prepared, expected } = request;
  const clientIds = prepared.filter((event) => event.clientChosenId).map((event) => event.eventId);
  const chained =
    guess === undefined ? [] : chainEvents(streamId, prepared, guess.version, guess.hash);
  const last = chained[chained.length - 1];
  const params: unknown[] = [
    streamId,
    guess === undefined ? '-1' : guess.version.toString(),
    last?.streamVersion.toString() ?? null,
    last?.hash ?? null,
    guess?.hash ?? null,
    eventsDocument(chained),
  ];
  if (clientIds.length > 0) params.push(clientIds);
  const text =
    clientIds.length > 0 ? context.statements.appendWithClientIds : context.statements.append;
  try {
    const rows = await context.sql.query<AppendRow>(text, params);
    const row = rows[0];
    if (row === undefined) throw new Error('the append statement returned no row');
    return { row, last };
  } catch (error) {
    throw translateAppendError(error, streamId, expected, prepared);
  }
}

/** The data and metadata are canonical JSON already, so they are spliced in, not re-encoded. */
function eventsDocument(chained: readonly ChainedEvent[]): string {
  let text = '[';
  for (let index = 0; index < chained.length; index++) {
    const event = chained[index]!;
    const prevHash = event.prevHash === null ? 'null' : `"${event.prevHash}"`;
    text +=
      `${index === 0 ? '' : ','}{"i":${JSON.stringify(event.eventId)},"t":${JSON.stringify(event.type)}` +
      `,"d":${event.dataJson},"m":${event.metadataJson},"h":"${event.hash}","p":${prevHash}}`;
  }
  return text + ']';
}

interface ExistingJson {
  eventId: string;
  streamId: string;
  streamVersion: string;
  type: string;
  data: unknown;
  globalPosition: string;
}

function parseExisting(existing: unknown): StoredEventIdentity[] {
  if (existing === null || existing === undefined) return [];
  const items = (typeof existing === 'string' ? JSON.parse(existing) : existing) as ExistingJson[];
  return items.map((item) => ({
    eventId: item.eventId,
    streamId: item.streamId,
    streamVersion: toBigInt(item.streamVersion),
    globalPosition: toBigInt(item.globalPosition),
    type: item.type,
    dataJson: canonicalJson(item.data),
  }));
}

interface DatabaseError {
  code?: string;
  constraint?: string;
  driverError?: DatabaseError;
}

/** TypeORM wraps the pg error (and copies its fields); look at both. */
export function databaseError(error: unknown): DatabaseError {
  if (typeof error !== 'object' || error === null) return {};
  const candidate = error as DatabaseError;
  return candidate.driverError ?? candidate;
}

function translateAppendError(
  error: unknown,
  streamId: string,
  expected: ExpectedVersion,
  prepared: readonly PreparedEvent[],
): unknown {
  const { code, constraint } = databaseError(error);
  if (code === '23505' && constraint === 'events_event_id_key') {
    // Only reachable when another stream took one of these ids concurrently: a conflict.
    const eventId =
      prepared.find((event) => event.clientChosenId)?.eventId ?? prepared[0]?.eventId ?? '';
    return new LedgerIdempotencyConflictError(
      eventId,
      streamId,
      'the id was taken by a concurrent append',
    );
  }
  if (code === '40P01' || code === '40001') {
    return new LedgerConcurrencyError(streamId, expected, undefined, 'DEADLOCK_OR_SERIALIZATION');
  }
  if (code === '23505' && constraint === 'events_stream_version_key') {
    return new LedgerConcurrencyError(streamId, expected, undefined, 'VERSION_MISMATCH');
  }
  return error;
}
