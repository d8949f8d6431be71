// A background task run again `intervalMs` after each run ends, from start() until stop(): the
// loop of the reservation expirer and of the refused-reservation flush. The timer does not keep
// the process alive; the task logs its own failures (a rejection is ignored here).
export class IntervalLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop and waits for the run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const run = this.task();
      this.running = run;
      void run.catch(() => undefined).finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
