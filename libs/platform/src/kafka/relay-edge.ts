// The lifecycle every service's relay shares: started in the background with the application
// (retrying while the broker is unreachable), stopped with it, woken after in-process appends,
// and reported with its subscription's status. The relay itself (the ledger's KafkaRelay) is
// built by the service, which knows its topics, source and router; this class only runs it.
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { JsonLogger } from '../logging/json-logger';
import { BackgroundStart, type EdgeStatus, type RetryTuning } from './background-start';

/** What RelayEdge needs of a relay (the ledger's KafkaRelay has it). */
export interface RelayLike<Status, Lag> {
  start(): Promise<void>;
  stop(): Promise<void>;
  wake(): void;
  status(): Status;
  lag(): Promise<Lag>;
}

export interface RelayEdgeOptions {
  /** For logs: `allocation relay`. */
  name: string;
  logger: JsonLogger;
  retry?: RetryTuning;
  /** Start with the application (onApplicationBootstrap). */
  autoStart: boolean;
  /** A disabled relay never starts. Default true. */
  enabled?: boolean;
}

/** A logically restored database: publishing would skip events; an operator must act. */
const isRestoredDatabase = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === 'LEDGER.TRANSACTION_IDS_BEHIND';

export class RelayEdge<Status, Lag> implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly starter: BackgroundStart;

  constructor(
    readonly relay: RelayLike<Status, Lag>,
    private readonly edge: RelayEdgeOptions,
  ) {
    this.starter = new BackgroundStart({
      name: edge.name,
      start: () => relay.start(),
      stop: () => relay.stop(),
      isFatal: isRestoredDatabase,
      logger: edge.logger,
      retry: edge.retry,
    });
  }

  get enabled(): boolean {
    return this.edge.enabled ?? true;
  }

  onApplicationBootstrap(): void {
    if (this.edge.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts in the background (restore guard, producer connection, then the polling loop). */
  start(): void {
    if (this.enabled) this.starter.begin();
  }

  /** Waits for the batch in flight (acked and checkpointed, or rolled back), then disconnects. */
  stop(): Promise<void> {
    return this.starter.end();
  }

  /** Skips the idle wait: call after an in-process append to publish sooner. */
  wake(): void {
    this.relay.wake();
  }

  /** The background start's state and the relay's subscription (state, checkpoint, last error). */
  protected edgeStatus(): EdgeStatus & { subscription: Status } {
    return { ...this.starter.status(), subscription: this.relay.status() };
  }

  /** Ledger events not yet published (see docs/ledger-subscriptions.md, Operations). */
  lag(): Promise<Lag> {
    return this.relay.lag();
  }
}
