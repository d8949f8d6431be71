import { Injectable } from '@nestjs/common';

/** Flipped once on SIGTERM/SIGINT; readiness then answers 503 so traffic moves elsewhere. */
@Injectable()
export class ShutdownState {
  private drainingSince: Date | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  startDraining(now: Date): void {
    this.drainingSince ??= now;
  }
}
