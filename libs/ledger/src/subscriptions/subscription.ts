import type {
  EventStore,
  GlobalCheckpoint,
  RecordedEvent,
  TransactionalEventStore,
} from '../types';
import { failpoint } from '../core/failpoint';
import { BatchLoop } from './batch-loop';
import { assertBatchInvariants } from './checkpoint';
import { CheckpointRepository } from './checkpoint.repository';
import { assertTransactionIdsAhead, measureLag, type SubscriptionLag } from './ledger-head';
import { jsonStderrLogger, type SubscriptionLogger } from './subscription.logger';
import {
  assertSubscriptionName,
  resolveSubscriptionSettings,
  type SubscriptionSettings,
  type SubscriptionTuning,
} from './subscription.settings';

export interface BatchContext {
  readonly subscriptionName: string;
  /** Checkpoint the batch starts after. */
  readonly from: GlobalCheckpoint;
  /** Checkpoint of the batch's last event; stored only if the batch succeeds. */
  readonly to: GlobalCheckpoint;
}

export interface TransactionalBatchContext extends BatchContext {
  /** The batch's transaction: read-model writes through `tx.sql` commit with the checkpoint. */
  readonly tx: TransactionalEventStore;
}

/**
 * `transactional`: effects are SQL in the batch transaction, so effect and checkpoint commit
 * together (exactly-once effect). `external`: effects leave the database (Kafka); the checkpoint
 * is written only after `handle` resolved, so a crash in between repeats the batch
 * (at-least-once) and receivers deduplicate.
 */
export type SubscriptionHandler =
  | {
      kind: 'transactional';
      handle(events: readonly RecordedEvent[], context: TransactionalBatchContext): Promise<void>;
    }
  | {
      kind: 'external';
      handle(events: readonly RecordedEvent[], context: BatchContext): Promise<void>;
    };

export interface BatchReport {
  readonly subscriptionName: string;
  readonly from: GlobalCheckpoint;
  readonly to: GlobalCheckpoint;
  readonly eventCount: number;
}

export interface SubscriptionHooks {
  /** After the handler resolved, before the checkpoint write (fault injection, tracing). */
  beforeCheckpoint?(batch: BatchReport): Promise<void>;
  /** After the batch transaction committed. */
  afterCommit?(batch: BatchReport): void;
}

export interface SubscriptionOptions extends SubscriptionTuning {
  /** Unique per logical consumer; instances sharing a name share one checkpoint and never overlap. */
  name: string;
  /** Ledger schema holding `subscription_checkpoints`. */
  schema: string;
  store: EventStore;
  handler: SubscriptionHandler;
  hooks?: SubscriptionHooks;
  logger?: SubscriptionLogger;
}

export type BatchOutcome =
  | { kind: 'locked' }
  | { kind: 'caught-up'; checkpoint: GlobalCheckpoint }
  | { kind: 'processed'; eventCount: number; checkpoint: GlobalCheckpoint; full: boolean };

export type SubscriptionState = 'created' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface SubscriptionStatus {
  name: string;
  state: SubscriptionState;
  lastCheckpoint: GlobalCheckpoint | undefined;
  eventsProcessed: number;
  consecutiveFailures: number;
  lastError: { code?: string; message: string } | undefined;
}

export class Subscription {
  readonly name: string;
  readonly settings: SubscriptionSettings;
  private readonly checkpoints: CheckpointRepository;
  private readonly logger: SubscriptionLogger;
  private readonly batchLoop: BatchLoop;
  private lastCheckpoint: GlobalCheckpoint | undefined;
  private eventsProcessed = 0;
  /** The restore guard passed since the last start(); checked again after each start. */
  private transactionIdsChecked = false;

  constructor(private readonly options: SubscriptionOptions) {
    assertSubscriptionName(options.name);
    this.name = options.name;
    this.settings = resolveSubscriptionSettings(options);
    this.checkpoints = new CheckpointRepository(options.schema);
    this.logger = options.logger ?? jsonStderrLogger;
    this.batchLoop = new BatchLoop({
      settings: this.settings,
      logger: this.logger,
      messages: {
        started: 'subscription started',
        stopped: 'subscription stopped',
        failed: 'subscription failed permanently',
        retrying: 'subscription batch failed; retrying',
      },
      fields: () => ({ subscription: this.name }),
      processNextBatch: () => this.processNextBatch(),
    });
  }

  /** Starts polling in the background; returns at once. Idempotent while running. */
  start(): void {
    if (this.batchLoop.running) return;
    this.transactionIdsChecked = false;
    this.batchLoop.start();
  }

  /** Asks the loop to stop and waits for the in-flight batch to commit or roll back. */
  async stop(): Promise<void> {
    await this.batchLoop.stop();
  }

  /** Hint that new events may exist (LISTEN/NOTIFY, an in-process append): skips the idle wait. */
  wake(): void {
    this.batchLoop.wake();
  }

  status(): SubscriptionStatus {
    return {
      name: this.name,
      state: this.batchLoop.state,
      lastCheckpoint: this.lastCheckpoint,
      eventsProcessed: this.eventsProcessed,
      consecutiveFailures: this.batchLoop.consecutiveFailures,
      lastError: this.batchLoop.lastError,
    };
  }

  /**
   * Throws `LEDGER.TRANSACTION_IDS_BEHIND` when the ledger's transaction ids are ahead of the
   * cluster's (after a logical restore). Call it at bootstrap to fail fast; the loop and
   * `processNextBatch` run the same check before their first batch, and the loop stops as
   * `failed` on it instead of retrying.
   */
  async preflight(): Promise<void> {
    await this.options.store.transaction((tx) =>
      assertTransactionIdsAhead(tx.sql, this.options.schema),
    );
    this.transactionIdsChecked = true;
  }

  /** How far the stored checkpoint is behind the ledger's head (for health and metrics). */
  async lag(): Promise<SubscriptionLag> {
    return this.options.store.transaction(async (tx) => {
      const checkpoint = await this.checkpoints.load(tx.sql, this.name);
      return measureLag(tx.sql, this.options.schema, checkpoint);
    });
  }

  /** Reads, handles and checkpoints at most one batch in one transaction. */
  async processNextBatch(): Promise<BatchOutcome> {
    const { name, store, handler, hooks } = this.options;
    const batchSize = this.settings.batchSize;
    const outcome = await store.transaction(
      async (tx): Promise<BatchOutcome & { report?: BatchReport }> => {
        if (!(await this.checkpoints.tryLock(tx.sql, name))) return { kind: 'locked' };
        if (!this.transactionIdsChecked) {
          await assertTransactionIdsAhead(tx.sql, this.options.schema);
          this.transactionIdsChecked = true;
        }
        const from = await this.checkpoints.load(tx.sql, name);
        const { events, checkpoint: to } = await tx.readAll({ after: from, maxCount: batchSize });
        if (events.length === 0) return { kind: 'caught-up', checkpoint: from };
        assertBatchInvariants(from, to, events, batchSize);
        const context = { subscriptionName: name, from, to };
        if (handler.kind === 'transactional') {
          await handler.handle(events, { ...context, tx });
          // Applied but neither checkpointed nor committed: the crash must roll both back.
          failpoint('projection.mid-batch');
        } else await handler.handle(events, context);
        const report = { ...context, eventCount: events.length };
        await hooks?.beforeCheckpoint?.(report);
        await this.checkpoints.advance(tx.sql, name, from, to);
        return {
          kind: 'processed',
          eventCount: events.length,
          checkpoint: to,
          full: events.length === batchSize,
          report,
        };
      },
    );
    if (outcome.kind === 'processed') {
      this.lastCheckpoint = outcome.checkpoint;
      this.eventsProcessed += outcome.eventCount;
      if (outcome.report !== undefined) hooks?.afterCommit?.(outcome.report);
      return {
        kind: 'processed',
        eventCount: outcome.eventCount,
        checkpoint: outcome.checkpoint,
        full: outcome.full,
      };
    }
    if (outcome.kind === 'caught-up') this.lastCheckpoint = outcome.checkpoint;
    return outcome;
  }

  /**
   * Processes batches until caught up (or until `maxBatches`), for tests, replay and tools.
   * Returns `locked: true` if another instance owns the subscription.
   */
  async catchUp(
    maxBatches = 100_000,
  ): Promise<{ eventCount: number; batches: number; locked: boolean }> {
    let eventCount = 0;
    for (let batches = 0; batches < maxBatches; batches++) {
      const outcome = await this.processNextBatch();
      if (outcome.kind === 'locked') return { eventCount, batches, locked: true };
      if (outcome.kind === 'caught-up') return { eventCount, batches, locked: false };
      eventCount += outcome.eventCount;
    }
    return { eventCount, batches: maxBatches, locked: false };
  }
}
