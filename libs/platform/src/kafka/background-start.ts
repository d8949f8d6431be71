// Starts a Kafka edge (the relay, a consumer) in the background and keeps retrying while the
// broker is unreachable, so the service still boots and serves its HTTP API: PostgreSQL is the
// durable store, and the relay and the consumers catch up from their checkpoints and offsets.
import { summariseError } from '../logging/edge-logging';
import type { JsonLogger } from '../logging/json-logger';

export interface RetryTuning {
  /** First delay after a failed start; doubles per failure. Default 1 s. */
  initialBackoffMs?: number;
  /** Ceiling of the delay. Default 30 s. */
  maxBackoffMs?: number;
  /** Failed starts before giving up in state `failed`. Default 10 000 (days at 30 s). */
  maxAttempts?: number;
}

export type EdgeState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface EdgeStatus {
  state: EdgeState;
  /** Start attempts since the last `begin()`. */
  attempts: number;
  lastError: { code?: string; message: string } | undefined;
}

export interface BackgroundStartOptions {
  name: string;
  start(): Promise<void>;
  /** Must be safe to call whatever state the edge is in (also after a failed start). */
  stop(): Promise<void>;
  /** Errors no retry can fix: the edge goes `failed` at once. */
  isFatal?: (error: unknown) => boolean;
  logger: JsonLogger;
  retry?: RetryTuning;
}

export class BackgroundStart {
  private state: EdgeState = 'idle';
  private attempts = 0;
  private lastError: EdgeStatus['lastError'];
  private loop: Promise<void> | undefined;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: BackgroundStartOptions) {
    this.initialBackoffMs = options.retry?.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.retry?.maxBackoffMs ?? 30_000;
    this.maxAttempts = options.retry?.maxAttempts ?? 10_000;
  }

  /** Starts in the background; returns at once. No-op while a start or a run is under way. */
  begin(): void {
    if (this.loop !== undefined) return;
    this.stopRequested = false;
    this.attempts = 0;
    this.state = 'starting';
    this.loop = this.run();
  }

  /** Waits for an attempt in flight, then stops the edge (always, so nothing stays connected). */
  async end(): Promise<void> {
    this.stopRequested = true;
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
    if (this.state === 'idle' || this.state === 'stopped') return;
    const failed = this.state === 'failed';
    this.state = 'stopping';
    try {
      await this.options.stop();
    } finally {
      this.state = failed ? 'failed' : 'stopped';
    }
  }

  status(): EdgeStatus {
    return { state: this.state, attempts: this.attempts, lastError: this.lastError };
  }

  private async run(): Promise<void> {
    const { name, logger } = this.options;
    while (!this.stopRequested) {
      this.attempts += 1;
      try {
        await this.options.start();
        this.state = 'running';
        this.lastError = undefined;
        logger.write('info', `${name} started`, { attempts: this.attempts }, 'Messaging');
        return;
      } catch (error) {
        this.lastError = summariseError(error);
        const fatal = this.options.isFatal?.(error) === true;
        if (fatal || this.attempts >= this.maxAttempts) {
          this.state = 'failed';
          logger.write('error', `${name} could not start`, { err: error, fatal }, 'Messaging');
          return;
        }
        const delayMs = Math.min(
          this.maxBackoffMs,
          this.initialBackoffMs * 2 ** (this.attempts - 1),
        );
        logger.write(
          'warn',
          `${name} could not start; retrying`,
          { err: error, attempts: this.attempts, delayMs },
          'Messaging',
        );
        await this.options.stop().catch(() => undefined);
        await this.sleep(delayMs);
      }
    }
  }

  private sleep(delayMs: number): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, delayMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}
