import { randomUUID } from 'node:crypto';

import { LedgerIdempotencyConflictError, LedgerInvalidEventError } from '../errors';
import type { AppendResult, DomainEvent, EventToAppend } from '../types';
import { canonicalJson } from './canonical-json';
import { eventHash } from './event-hash';
import { MAX_EVENT_BYTES, MAX_EVENTS_PER_APPEND, MAX_IDENTIFIER_LENGTH } from './limits';

/** An event validated and encoded once, before any I/O; the encoding is what is hashed and stored. */
export interface PreparedEvent {
  eventId: string;
  /** True when the caller chose the id, which makes a re-append an idempotent replay. */
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
  return events.map((event, index) => {
    const prepared = prepareEvent(event, index);
    if (seen.has(prepared.eventId)) {
      throw new LedgerInvalidEventError(
        `event id "${prepared.eventId}" appears twice in one append`,
      );
    }
    seen.add(prepared.eventId);
    return prepared;
  });
}

function prepareEvent(event: EventToAppend, index: number): PreparedEvent {
  const clientChosenId = event.eventId !== undefined;
  const eventId = event.eventId ?? randomUUID();
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
