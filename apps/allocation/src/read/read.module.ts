import { Module } from '@nestjs/common';
import { AllocationConfig } from '../config';
import { BalanceQueries } from './balance.queries';
import { BurnDownQueries } from './burn-down.queries';
import { RefusalQueries } from './refusals.queries';
import { BudgetHistoryQueries } from './budget-history.queries';
import { HistoryQueries } from './history.queries';
import { ProjectionStatus } from './projection.status';
import { READ_SETTINGS, readSettingsFrom } from './read.settings';
import { ProjectionWaker, UnitBalancesSubscription } from './unit-balances.subscription';

/**
 * The read side: strong balance and history queries on the ledger, and the unit_balances
 * projection run in the background. Uses the global ledger store (`PostgresEventStore`),
 * `JsonLogger` and `AllocationConfig`; its table comes from `readModelStatements(schema)` in the
 * service's migration.
 */
@Module({
  providers: [
    {
      provide: READ_SETTINGS,
      inject: [AllocationConfig],
      useFactory: (config: AllocationConfig) => readSettingsFrom(config),
    },
    UnitBalancesSubscription,
    { provide: ProjectionWaker, useExisting: UnitBalancesSubscription },
    ProjectionStatus,
    BalanceQueries,
    HistoryQueries,
    BudgetHistoryQueries,
    BurnDownQueries,
    RefusalQueries,
  ],
  exports: [
    ProjectionWaker,
    UnitBalancesSubscription,
    ProjectionStatus,
    BalanceQueries,
    HistoryQueries,
    BudgetHistoryQueries,
    BurnDownQueries,
    RefusalQueries,
  ],
})
export class ReadModule {}
