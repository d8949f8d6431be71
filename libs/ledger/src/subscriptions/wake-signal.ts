/**
 * An interruptible sleep: `wake()` ends the current sleep at once, and a wake that arrives while
 * nobody sleeps makes the next sleep return immediately, so a hint is never lost.
 */
export class WakeSignal {
  private pending: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private woken = false;

  sleep(durationMs: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, durationMs);
      this.pending = { timer, resolve };
    });
  }

  wake(): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.woken = true;
      return;
    }
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve();
  }
}
