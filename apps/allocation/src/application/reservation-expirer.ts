// Expires pending reservations past their deadline: a sweep every `expiryIntervalMs` (and on
// demand) reads the due ones from the reservations index and sends ExpireReservation through
// each account's queue — the same serial path as commits, so a commit racing the expiry is
// decided before or after it, never both. Every instance sweeps; a reservation another instance
// expired first is simply already finalised here.
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PostgresEventStore } from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import { CLOCK, type Clock } from './clock';
import { dueReservations } from './index-tables';
import { IntervalLoop } from './interval-loop';
import { ReservationService } from './reservation.service';

@Injectable()
export class ReservationExpirer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop: IntervalLoop;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly reservations: ReservationService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly logger?: JsonLogger,
  ) {
    this.loop = new IntervalLoop(reservations.settings.expiryIntervalMs, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    if (this.reservations.settings.runExpirer) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the sweep in progress. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * One sweep: expires up to `expiryBatchLimit` reservations due at `now` (the clock by default)
   * and returns how many this instance expired.
   */
  async expireDue(now: Date = this.clock()): Promise<number> {
    const limit = this.reservations.settings.expiryBatchLimit;
    const due = await this.store.transaction((tx) =>
      dueReservations(tx.sql, this.store.schema, now, limit),
    );
    if (due.length === 0) return 0;
    return this.reservations.expire(due);
  }

  /** The loop's sweep: expireDue, its outcome logged. */
  private sweep(): Promise<void> {
    return this.expireDue().then(
      (expired) => {
        if (expired > 0)
          this.logger?.write('debug', 'reservations expired', { expired }, 'ReservationExpirer');
      },
      (error: unknown) =>
        this.logger?.write(
          'warn',
          'reservation expiry sweep failed; retrying at the next one',
          {
            err:
              error instanceof Error ? { name: error.name, message: error.message } : String(error),
          },
          'ReservationExpirer',
        ),
    );
  }
}
