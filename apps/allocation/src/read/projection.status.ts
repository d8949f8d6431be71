// What the read side's projections are doing, for the admin endpoints and readiness, and the
// replay check of the unit_balances projection.
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, verifyProjection, type SubscriptionState } from '@plafond/ledger';
import type { CheckDetails, ReadinessCheck } from '@plafond/platform';
import { READ_SETTINGS, type ReadSettings } from './read.settings';
import { unitBalancesProjection } from './unit-balances.projection';
import { UnitBalancesSubscription } from './unit-balances.subscription';

/** The live projection against its rebuild from the ledger, at the live checkpoint. */
export interface ProjectionReplayReport {
  projection: string;
  eventsApplied: number;
  /** The live projection's checkpoint: the rebuild stops there. */
  checkpoint: { transactionId: string; globalPosition: string };
  live: { digest: string; rowCounts: Record<string, number> };
  rebuilt: { digest: string; rowCounts: Record<string, number> };
  match: boolean;
}

export interface ProjectionReport {
  name: string;
  state: SubscriptionState;
  /** Committed events not yet projected (decimal string), null when it could not be measured. */
  lag: string | null;
  /** True when the count hit the ledger's bound (100 000): the real lag is larger. */
  lagAtLeast: boolean;
  /**
   * Of the lag, events an older open transaction keeps back (readAll waits for it). Staying above
   * 0 points at a long or idle-in-transaction session, not at the projection.
   */
  eventsHeldBack: number;
  /** The stored checkpoint (commit-order position) the projection resumes after. */
  checkpoint: { transactionId: string; globalPosition: string } | null;
  eventsProcessed: number;
  consecutiveFailures: number;
  lastError: { code?: string; message: string } | null;
  /** Why the lag is null. */
  lagError?: string;
}

@Injectable()
export class ProjectionStatus implements ReadinessCheck {
  readonly name = 'projections';

  constructor(
    private readonly unitBalances: UnitBalancesSubscription,
    private readonly store: PostgresEventStore,
    @Inject(READ_SETTINGS) private readonly settings: ReadSettings,
  ) {}

  /**
   * Digests the live unit_balances table at its checkpoint (under the subscription's lock), rebuilds
   * it from position 0 into a temporary schema up to that checkpoint, compares, drops the copy.
   * A difference means a live row was altered or the fold is not deterministic.
   */
  async replay(): Promise<ProjectionReplayReport> {
    const schema = this.settings.readModelSchema.slice(0, 40);
    const result = await verifyProjection(unitBalancesProjection, {
      store: this.store,
      liveSchema: this.settings.readModelSchema,
      subscription: { schema: this.store.schema, name: unitBalancesProjection.name },
      intoSchema: `${schema}_replay_${randomBytes(8).toString('hex')}`,
      dropAfterDigest: true,
    });
    const { checkpoint } = result.rebuilt;
    return {
      projection: unitBalancesProjection.name,
      eventsApplied: result.rebuilt.eventsApplied,
      checkpoint: {
        transactionId: checkpoint.transactionId.toString(),
        globalPosition: checkpoint.globalPosition.toString(),
      },
      live: { digest: result.live.digest, rowCounts: result.live.rowCounts },
      rebuilt: { digest: result.rebuilt.digest.digest, rowCounts: result.rebuilt.digest.rowCounts },
      match: result.matches,
    };
  }

  async status(): Promise<ProjectionReport[]> {
    return [await this.report(this.unitBalances)];
  }

  /**
   * Readiness: down only when a projection stopped as `failed` (it needs an operator). Lag does
   * not make the service unready: balance queries read the ledger, not the projection.
   */
  async check(): Promise<CheckDetails> {
    const reports = await this.status();
    const failed = reports.filter((report) => report.state === 'failed');
    if (failed.length > 0) {
      throw new Error(
        failed
          .map((report) => `projection ${report.name} failed: ${report.lastError?.message ?? '?'}`)
          .join('; '),
      );
    }
    return Object.fromEntries(reports.map((report) => [report.name, report.lag]));
  }

  private async report(subscription: UnitBalancesSubscription): Promise<ProjectionReport> {
    const status = subscription.status();
    const base = {
      name: status.name,
      state: status.state,
      eventsProcessed: status.eventsProcessed,
      consecutiveFailures: status.consecutiveFailures,
      lastError: status.lastError ?? null,
    };
    try {
      const lag = await subscription.lag();
      return {
        ...base,
        lag: lag.eventsBehind.toString(),
        lagAtLeast: lag.atLeast,
        eventsHeldBack: lag.eventsHeldBack,
        checkpoint: {
          transactionId: lag.checkpoint.transactionId.toString(),
          globalPosition: lag.checkpoint.globalPosition.toString(),
        },
      };
    } catch (error) {
      return {
        ...base,
        lag: null,
        lagAtLeast: false,
        eventsHeldBack: 0,
        checkpoint: null,
        lagError: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
