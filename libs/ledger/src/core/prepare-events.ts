import { createHash, randomUUID } from 'node:crypto';

import { LedgerIdempotencyConflictError, LedgerInvalidEventError } from '../errors';
import type { AppendResult, DomainEvent, EventToAppend } from '../types';
import { canonicalJson } from './canonical-json';
import { eventHash } from './event-hash';
import { MAX_EVENT_BYTES, MAX_EVENTS_PER_APPEND, MAX_IDENTIFIER_LENGTH } from './limits';

/** An event validated and encoded once, before any I/O; the encoding is what is hashed and stored. */
export interface PreparedEvent {
  eventId: string;
  /**
   * True when the caller chose the id, or it was derived from a chosen one in the same batch:
   * a re-append is then an idempotent replay.
   */
  clientChosenId: boolean;
  type: string;
  dataJson: string;
  metadataJson: string;
}

export interface ChainedEvent extends PreparedEvent {
  streamVersion: bigint;
  prevHash: string | null;
  hash: string;
}

export function assertIdentifier(kind: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDENTIFIER_LENGTH) {
    throw new LedgerInvalidEventError(
      `${kind} must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters`,
    );
  }
  if (value.includes('\u0000'))
    throw new LedgerInvalidEventError(`${kind} contains a NUL character`);
}

export function prepareEvents<E extends DomainEvent>(
  streamId: string,
  events: readonly EventToAppend<E>[],
): PreparedEvent[] {
  assertIdentifier('streamId', streamId);
  if (events.length === 0) throw new LedgerInvalidEventError('an append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new LedgerInvalidEventError(
      `an append holds at most ${MAX_EVENTS_PER_APPEND} events, got ${events.length}`,
    );
  }
  const seen = new Set<string>();
  const firstClientId = events.find((event) => event.eventId !== undefined)?.eventId;
  return events.map((event, index) => {
    const prepared = prepareEvent(event, index, firstClientId);
    if (seen.has(prepared.eventId)) {
      throw new LedgerInvalidEventError(
        `event id "${prepared.eventId}" appears twice in one append`,
      );
    }
    seen.add(prepared.eventId);
    return prepared;
  });
}

/**
 * The id of an event the caller left without one, in a batch where the caller chose at least one
 * id: a name-based UUID (SHA-256, RFC 9562 version 8 layout) of the batch's first client id and
 * the event's index. A retried batch thus carries the same ids and replays idempotently instead
 * of conflicting with its own first attempt. A UUID keeps the id short whatever the client id's
 * length, and would fit a uuid column as well as the text one.
 */
export function derivedEventId(firstClientId: string, index: number): string {
  const bytes = createHash('sha256')
    .update(`plafond.ledger.derived-event-id\u0000${firstClientId}\u0000${index}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function prepareEvent(
  event: EventToAppend,
  index: number,
  firstClientId: string | undefined,
): PreparedEvent {
  // A derived id is as repeatable as a client's own, so it takes part in replays the same way.
  const clientChosenId = event.eventId !== undefined || firstClientId !== undefined;
  const eventId =
    event.eventId ??
    (firstClientId === undefined ? randomUUID() : derivedEventId(firstClientId, index));
  assertIdentifier(`events[${index}].eventId`, eventId);
  assertIdentifier(`events[${index}].type`, event.type);
  if (event.data === undefined)
    throw new LedgerInvalidEventError(`events[${index}].data is undefined`);
  const dataJson = canonicalJson(event.data, `events[${index}].data`);
  const metadataJson = canonicalJson(event.metadata ?? {}, `events[${index}].metadata`);
  if (!metadataJson.startsWith('{')) {
    throw new LedgerInvalidEventError(`events[${index}].metadata must be an object`);
  }
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: count exactly only when that bound is too high.
  const mayBeTooLarge = (dataJson.length + metadataJson.length) * 3 > MAX_EVENT_BYTES;
  const bytes = mayBeTooLarge ? Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson) : 0;
  if (bytes > MAX_EVENT_BYTES) {
    throw new LedgerInvalidEventError(
      `events[${index}] is ${bytes} bytes, above ${MAX_EVENT_BYTES}`,
    );
  }
  return { eventId, clientChosenId, type: event.type, dataJson, metadataJson };
}

/** Gives each event its stream version and chains its hash to the stream's current head. */
export function chainEvents(
  streamId: string,
  events: readonly PreparedEvent[],
  headVersion: bigint,
  headHash: string | null,
): ChainedEvent[] {
  const chained: ChainedEvent[] = new Array<ChainedEvent>(events.length);
  let prevHash = headHash;
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    // Spelled out rather than spread: this loop runs for every appended event.
    const streamVersion = headVersion + BigInt(index + 1);
    const hash = eventHash({
      streamId,
      streamVersion,
      eventId: event.eventId,
      type: event.type,
      dataJson: event.dataJson,
      metadataJson: event.metadataJson,
      prevHash,
    });
    chained[index] = {
      eventId: event.eventId,
      clientChosenId: event.clientChosenId,
      type: event.type,
      dataJson: event.dataJson,
      metadataJson: event.metadataJson,
      streamVersion,
      prevHash,
      hash,
    };
    prevHash = hash;
  }
  return chained;
}

/** An already stored event found under an id of the batch being appended. */
export interface StoredEventIdentity {
  eventId: string;
  streamId: string;
  streamVersion: bigint;
  globalPosition: bigint;
  type: string;
  dataJson: string;
}

/**
 * Decides what an append whose ids already exist means. Content is stream + type + data; metadata
 * is left out on purpose because a retried request legitimately carries a new correlation id or
 * timestamp. Only a batch whose every event is a client-id replay is a no-op: a mix of replayed
 * and new events is a different command, hence a conflict.
 */
export function resolveReplay(
  streamId: string,
  events: readonly PreparedEvent[],
  stored: readonly StoredEventIdentity[],
): AppendResult {
  const byId = new Map(stored.map((event) => [event.eventId, event]));
  let nextExpectedVersion = 0n;
  let lastGlobalPosition = 0n;
  for (const event of events) {
    const original = byId.get(event.eventId);
    if (original === undefined || !event.clientChosenId) {
      const someId = stored[0]?.eventId ?? event.eventId;
      throw new LedgerIdempotencyConflictError(
        someId,
        streamId,
        'the batch mixes replayed and new events',
      );
    }
    const difference =
      original.streamId !== streamId
        ? `it was appended to stream "${original.streamId}"`
        : original.type !== event.type
          ? `it was recorded with type "${original.type}"`
          : original.dataJson !== event.dataJson
            ? 'it was recorded with different data'
            : undefined;
    if (difference !== undefined) {
      throw new LedgerIdempotencyConflictError(event.eventId, streamId, difference);
    }
    if (original.streamVersion > nextExpectedVersion) nextExpectedVersion = original.streamVersion;
    if (original.globalPosition > lastGlobalPosition) lastGlobalPosition = original.globalPosition;
  }
  return { streamId, nextExpectedVersion, lastGlobalPosition, idempotentReplay: true };
}
