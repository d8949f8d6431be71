// Who did it and why, on every event: the command context becomes the event metadata.
import { createHash } from 'node:crypto';
import type { EventMetadata } from '@plafond/ledger';

/** Given by the edge (HTTP: the API key's role and id; Kafka: the consumer) to every command. */
export interface CommandContext {
  /** e.g. `admin:k3x9q2m7p1aa`; goes to `metadata.actor` of every event. */
  actor: string;
  correlationId?: string;
  /** Free text stated by the caller; goes to `metadata.reason`. */
  reason?: string;
}

/** What one unit of work writes into each event's metadata, besides the partition key. */
export interface MetadataSource {
  ctx: CommandContext;
  /** The command's instant (the clock read once per unit of work). */
  now: Date;
  /** e.g. the usage.recorded message that caused the events. */
  causationId?: string;
}

export function metadataFor(source: MetadataSource, partitionKey: string): EventMetadata {
  const { ctx, now, causationId } = source;
  return {
    actor: ctx.actor,
    ...(ctx.correlationId === undefined ? {} : { correlationId: ctx.correlationId }),
    ...(causationId === undefined ? {} : { causationId }),
    occurredAt: now.toISOString(),
    partitionKey,
    ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
  };
}

/**
 * A ledger event id derived from a client-chosen id: the same command retried after a lost
 * response produces the same id, so the ledger turns the repeat into a no-op (or refuses it when
 * the content differs) even where the domain keeps no memory of the id. A hash keeps it short.
 */
export function derivedEventId(streamId: string, ...parts: string[]): string {
  const digest = createHash('sha256')
    .update(['plafond.allocation', streamId, ...parts].join('\u0000'))
    .digest('hex');
  return `alloc-${digest.slice(0, 40)}`;
}
