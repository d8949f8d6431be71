// Runs the unit_balances projection inside the service: preflight and start at bootstrap, stop
// on shutdown. Every instance runs one; the subscription's advisory lock lets exactly one apply
// each batch (the others are hot standbys), and read-model writes commit with the checkpoint.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  PostgresEventStore,
  SubscriptionError,
  createProjectionSubscription,
  type Subscription,
  type SubscriptionLag,
  type SubscriptionLogger,
  type SubscriptionStatus,
} from '@plafond/ledger';
import { JsonLogger } from '@plafond/platform';
import { READ_SETTINGS, type ReadSettings } from './read.settings';
import { unitBalancesProjection } from './unit-balances.projection';

/**
 * Lets writers say "I just committed": the projection skips its idle wait. Optional — without it
 * the projection still catches up within its poll interval. Inject with `@Optional()`.
 */
export abstract class ProjectionWaker {
  abstract wake(): void;
}

const LOG_CONTEXT = 'ReadProjection';

function subscriptionLogger(logger: JsonLogger): SubscriptionLogger {
  return { log: (level, message, fields) => logger.write(level, message, fields, LOG_CONTEXT) };
}

@Injectable()
export class UnitBalancesSubscription
  implements ProjectionWaker, OnApplicationBootstrap, OnModuleDestroy
{
  readonly subscription: Subscription;

  constructor(
    store: PostgresEventStore,
    private readonly logger: JsonLogger,
    @Inject(READ_SETTINGS) private readonly settings: ReadSettings,
  ) {
    this.subscription = createProjectionSubscription({
      ...settings.tuning,
      store,
      schema: store.schema,
      projection: unitBalancesProjection,
      readModelSchema: settings.readModelSchema,
      logger: subscriptionLogger(logger),
    });
  }

  get name(): string {
    return this.subscription.name;
  }

  /**
   * A ledger restored logically (LEDGER.TRANSACTION_IDS_BEHIND) fails the boot: no projection or
   * relay may run on it. Other preflight errors (the database not migrated yet...) are logged and
   * the loop retries with backoff; it repeats the guard before its first batch.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.autoStart) return;
    try {
      await this.subscription.preflight();
    } catch (error) {
      if (error instanceof SubscriptionError && error.code === 'LEDGER.TRANSACTION_IDS_BEHIND')
        throw error;
      this.logger.write(
        'warn',
        'projection preflight failed; starting anyway, batches retry',
        { subscription: this.name, err: error },
        LOG_CONTEXT,
      );
    }
    this.subscription.start();
  }

  /** Before the DataSource closes: waits for the in-flight batch to commit or roll back. */
  async onModuleDestroy(): Promise<void> {
    await this.subscription.stop();
  }

  wake(): void {
    this.subscription.wake();
  }

  status(): SubscriptionStatus {
    return this.subscription.status();
  }

  lag(): Promise<SubscriptionLag> {
    return this.subscription.lag();
  }
}
