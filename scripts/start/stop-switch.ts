// The one stop of a start script (the distributed supervisor and the embedded host): asked for
// once (a stop signal, or a service that exits on its own), awaited once start-up is done, and
// checked between start-up steps that cannot be interrupted.
import { say } from './infrastructure';
import { StopRequested } from './services';

export class StopSwitch {
  private readonly controller = new AbortController();

  /** Aborted once, on the first stop: for waits that must end with it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  /** A stop signal: the first one stops, later ones only say so. */
  request(signal: NodeJS.Signals): void {
    if (this.stopping) {
      say(`${signal}: already stopping`);
      return;
    }
    say(`${signal}: stopping`);
    this.controller.abort();
  }

  /** A stop the script decides itself (it has said why). */
  trip(): void {
    this.controller.abort();
  }

  /** Between steps that cannot be interrupted: a stop asked for meanwhile ends start-up here. */
  checkpoint(): void {
    if (this.stopping) throw new StopRequested();
  }

  /**
   * Runs start-up, then waits for the stop. False when start-up failed (and says why); a stop
   * during start-up is no failure. Either way the caller then stops what it started.
   */
  async runUntilStopped(startAll: () => Promise<void>): Promise<boolean> {
    try {
      await startAll();
      if (!this.stopping) {
        await new Promise((resolve) =>
          this.controller.signal.addEventListener('abort', resolve, { once: true }),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof StopRequested) return true;
      say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
}
