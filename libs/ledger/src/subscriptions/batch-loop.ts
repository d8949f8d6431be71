import type { SubscriptionState, SubscriptionStatus } from './subscription';
import { SubscriptionError } from './subscription.errors';
import { describeError, type SubscriptionLogger } from './subscription.logger';
import { backoffDelayMs, type SubscriptionSettings } from './subscription.settings';
import { WakeSignal } from './wake-signal';

/** What a `BatchLoop` drives: a subscription or a ledger-log consumer. */
export interface BatchLoopHost {
  readonly settings: SubscriptionSettings;
  readonly logger: SubscriptionLogger;
  /** The log messages of the loop's start, stop, permanent failure and retry. */
  readonly messages: {
    readonly started: string;
    readonly stopped: string;
    readonly failed: string;
    readonly retrying: string;
  };
  /** Fields naming the loop in its log lines. */
  fields(): Record<string, unknown>;
  /** One bounded batch; a full processed batch is followed at once by the next. */
  processNextBatch(): Promise<{ readonly kind: string; readonly full?: boolean }>;
}

/**
 * The background loop of a subscription or a ledger-log consumer: batches until `stop()`, idle
 * waits of `idlePollMs` (none after a full batch, cut short by `wake()`), backoff after a
 * failure, and a stop as `failed` after `maxConsecutiveFailures` failures in a row or after a
 * failure no retry can fix.
 */
export class BatchLoop {
  private currentState: SubscriptionState = 'created';
  private consecutive = 0;
  private error: SubscriptionStatus['lastError'];
  private readonly signal = new WakeSignal();
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly host: BatchLoopHost) {}

  get state(): SubscriptionState {
    return this.currentState;
  }

  /** Failures since the last successful batch. */
  get consecutiveFailures(): number {
    return this.consecutive;
  }

  get lastError(): SubscriptionStatus['lastError'] {
    return this.error;
  }

  /** Between `start()` and the end of `stop()`. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** `stop()` was called: a batch in progress may end early. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** Starts the loop in the background; returns at once. Idempotent while running. */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.consecutive = 0;
    this.currentState = 'running';
    this.host.logger.log('info', this.host.messages.started, this.host.fields());
    this.loop = this.run();
  }

  /** Asks the loop to stop and waits for the in-flight batch to finish. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (loop === undefined) return;
    this.stopping = true;
    if (this.currentState === 'running') this.currentState = 'stopping';
    this.signal.wake();
    await loop;
    this.loop = undefined;
    if (this.currentState !== 'failed') this.currentState = 'stopped';
    this.host.logger.log('info', this.host.messages.stopped, {
      ...this.host.fields(),
      state: this.currentState,
    });
  }

  /** Hint that new events may exist: skips the idle wait. */
  wake(): void {
    this.signal.wake();
  }

  private async run(): Promise<void> {
    const { settings, logger, messages } = this.host;
    while (!this.stopping) {
      let delayMs = settings.idlePollMs;
      try {
        const outcome = await this.host.processNextBatch();
        this.consecutive = 0;
        if (outcome.kind === 'processed' && outcome.full === true) delayMs = 0;
      } catch (error) {
        this.consecutive += 1;
        this.error = describeError(error);
        const fields = {
          ...this.host.fields(),
          consecutiveFailures: this.consecutive,
          error: this.error,
        };
        if (this.consecutive >= settings.maxConsecutiveFailures || isPermanent(error)) {
          this.currentState = 'failed';
          logger.log('error', messages.failed, fields);
          return;
        }
        delayMs = backoffDelayMs(this.consecutive, settings);
        logger.log('warn', messages.retrying, { ...fields, retryInMs: delayMs });
      }
      if (delayMs > 0 && !this.stopping) await this.signal.sleep(delayMs);
    }
  }
}

/** Failures no retry can fix: the loop stops at once and `status()` names them. */
function isPermanent(error: unknown): boolean {
  return error instanceof SubscriptionError && error.code === 'LEDGER.TRANSACTION_IDS_BEHIND';
}
