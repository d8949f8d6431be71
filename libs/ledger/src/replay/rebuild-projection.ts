import type { EventStore, GlobalCheckpoint } from '../types';
import { START_CHECKPOINT } from '../types';
import {
  assertBatchInvariants,
  checkpointOf,
  compareCheckpoints,
  formatCheckpoint,
} from '../subscriptions/checkpoint';
import { quoteIdentifier } from '../subscriptions/identifiers';
import {
  projectionContext,
  projectionMigrationStatements,
  type Projection,
} from '../subscriptions/projection';
import { SubscriptionError } from '../subscriptions/subscription.errors';
import { resolveSubscriptionSettings } from '../subscriptions/subscription.settings';
import { projectionDigest, type ProjectionDigest } from './projection-digest';

export interface RebuildOptions {
  store: EventStore;
  /** Fresh schema to build into; it must not exist yet. */
  intoSchema: string;
  /** Last position to apply (inclusive), e.g. a live checkpoint; default: every visible event. */
  until?: GlobalCheckpoint;
  batchSize?: number;
  /** Safety bound on the events replayed. Default 1 000 000 000. */
  maxEvents?: number;
  /** Drop the fresh schema after digesting (verification runs). Default false. */
  dropAfterDigest?: boolean;
}

export interface RebuildResult {
  schema: string;
  eventsApplied: number;
  /** Position of the last event applied (START when the store was empty). */
  checkpoint: GlobalCheckpoint;
  digest: ProjectionDigest;
}

async function createFreshSchema(
  store: EventStore,
  projection: Projection,
  schema: string,
): Promise<void> {
  await store.transaction(async (tx) => {
    const existing = await tx.sql.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
    if (existing.length > 0) {
      throw new SubscriptionError(
        'LEDGER.REPLAY_TARGET_EXISTS',
        `schema ${schema} already exists; rebuilds need fresh tables`,
      );
    }
    for (const statement of projectionMigrationStatements(projection, schema))
      await tx.sql.query(statement);
  });
}

async function dropSchema(store: EventStore, schema: string): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.sql.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  });
}

/** Replays from position 0, one bounded batch per transaction, into `schema`. */
async function replayInto(
  projection: Projection,
  options: RebuildOptions,
  batchSize: number,
): Promise<{ eventsApplied: number; checkpoint: GlobalCheckpoint }> {
  const { store, intoSchema, until } = options;
  const maxEvents = options.maxEvents ?? 1_000_000_000;
  let after = START_CHECKPOINT;
  let eventsApplied = 0;
  for (let batch = 0; batch <= Math.ceil(maxEvents / batchSize); batch++) {
    const step = await store.transaction(async (tx) => {
      const { events, checkpoint } = await tx.readAll({ after, maxCount: batchSize });
      assertBatchInvariants(after, checkpoint, events, batchSize);
      const inRange =
        until === undefined
          ? events
          : events.filter((event) => compareCheckpoints(checkpointOf(event), until) <= 0);
      if (inRange.length > 0)
        await projection.apply(inRange, projectionContext(tx, intoSchema, projection));
      const last = inRange.at(-1);
      return {
        applied: inRange.length,
        last: last === undefined ? after : checkpointOf(last),
        done: inRange.length < batchSize,
      };
    });
    eventsApplied += step.applied;
    after = step.last;
    if (eventsApplied > maxEvents) {
      throw new SubscriptionError(
        'LEDGER.REPLAY_BOUND_EXCEEDED',
        `more than ${maxEvents} events to replay`,
      );
    }
    if (step.done) return { eventsApplied, checkpoint: after };
  }
  throw new SubscriptionError(
    'LEDGER.REPLAY_BOUND_EXCEEDED',
    `more than ${maxEvents} events to replay`,
  );
}

/**
 * Rebuilds a projection from position 0 into fresh tables and digests them. Given the live
 * checkpoint as `until`, the digest must equal the live projection's digest; anything else means
 * the projection is not deterministic or the live tables were altered.
 */
export async function rebuildProjection(
  projection: Projection,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const { batchSize } = resolveSubscriptionSettings({ batchSize: options.batchSize });
  quoteIdentifier(options.intoSchema);
  await createFreshSchema(options.store, projection, options.intoSchema);
  try {
    const { eventsApplied, checkpoint } = await replayInto(projection, options, batchSize);
    if (options.until !== undefined && compareCheckpoints(checkpoint, options.until) !== 0) {
      throw new SubscriptionError(
        'LEDGER.SUBSCRIPTION_INVARIANT',
        `replay ended at ${formatCheckpoint(checkpoint)}, not at the requested ${formatCheckpoint(options.until)}`,
      );
    }
    const digest = await projectionDigest(projection, {
      store: options.store,
      schema: options.intoSchema,
    });
    if (options.dropAfterDigest === true) await dropSchema(options.store, options.intoSchema);
    return { schema: options.intoSchema, eventsApplied, checkpoint, digest };
  } catch (error) {
    await dropSchema(options.store, options.intoSchema);
    throw error;
  }
}

export interface VerifyProjectionOptions extends Omit<RebuildOptions, 'until'> {
  /** Schema of the live read model. */
  liveSchema: string;
  /** The live projection's subscription (its checkpoint bounds the rebuild). */
  subscription: { schema: string; name: string };
}

export interface VerifyProjectionResult {
  matches: boolean;
  live: ProjectionDigest;
  rebuilt: RebuildResult;
}

/** Digests the live read model at its checkpoint, rebuilds up to that checkpoint, compares. */
export async function verifyProjection(
  projection: Projection,
  options: VerifyProjectionOptions,
): Promise<VerifyProjectionResult> {
  const live = await projectionDigest(projection, {
    store: options.store,
    schema: options.liveSchema,
    subscription: options.subscription,
  });
  const until = live.checkpoint ?? START_CHECKPOINT;
  const rebuilt = await rebuildProjection(projection, { ...options, until });
  return { matches: rebuilt.digest.digest === live.digest, live, rebuilt };
}
