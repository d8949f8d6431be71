// Runs UsagePipeline.pruneDedup on a timer (daily by default): dedup rows older than the window
// go, in chunks, and so do the raw consumer's ledger inbox rows older than the window (nothing
// else prunes them; a record re-run after its row went is harmless, see RawUsageConsumer). A
// failed run is logged and the next one tries again.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { JsonLogger } from '@plafond/platform';
import { UsagePipeline } from '../application';
import { summariseError } from '@plafond/platform';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

export interface DedupPrunerStatus {
  intervalMs: number;
  running: boolean;
  /** `deleted`: dedup rows; `inboxDeleted`: the raw consumer's inbox rows. */
  lastRun: { at: string; deleted: number; inboxDeleted: number } | undefined;
  lastError: { code?: string; message: string } | undefined;
}

@Injectable()
export class DedupPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<number> | undefined;
  private lastRun: DedupPrunerStatus['lastRun'];
  private lastError: DedupPrunerStatus['lastError'];

  constructor(
    private readonly pipeline: UsagePipeline,
    private readonly logger: JsonLogger,
    @Inject(INGESTION_MESSAGING_SETTINGS) private readonly settings: IngestionMessagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.autoStart) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.timer !== undefined || this.settings.pruneIntervalMs <= 0) return;
    this.timer = setInterval(
      () => void this.runOnce().catch(() => undefined),
      this.settings.pruneIntervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  /** One pruning pass now (also what the timer runs); returns the dedup rows deleted. */
  async runOnce(): Promise<number> {
    if (this.inFlight !== undefined) return this.inFlight;
    this.inFlight = (async () => {
      try {
        const deleted = await this.pipeline.pruneDedup();
        const inboxDeleted = await this.pipeline.pruneInbox(this.settings.rawGroupId);
        this.lastRun = { at: new Date().toISOString(), deleted, inboxDeleted };
        this.lastError = undefined;
        this.logger.write('info', 'dedup pruned', { deleted, inboxDeleted }, 'DedupPruner');
        return deleted;
      } catch (error) {
        this.lastError = summariseError(error);
        this.logger.write('warn', 'dedup pruning failed', { err: error }, 'DedupPruner');
        throw error;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  status(): DedupPrunerStatus {
    return {
      intervalMs: this.settings.pruneIntervalMs,
      running: this.timer !== undefined,
      lastRun: this.lastRun,
      lastError: this.lastError,
    };
  }
}
