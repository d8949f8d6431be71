// What the read side's projections are doing, for the admin endpoint and readiness.
import { Injectable } from '@nestjs/common';
import type { SubscriptionState } from '@plafond/ledger';
import type { CheckDetails, ReadinessCheck } from '@plafond/platform';
import { UnitBalancesSubscription } from './unit-balances.subscription';

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

  constructor(private readonly unitBalances: UnitBalancesSubscription) {}

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
