import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@plafond/ledger';
import { AuthModule, PlafondError } from '@plafond/platform';
import { BillingApplicationModule, BillingDirectory, billingSettings } from './application';
import { type BillingConfig } from './config';
import { BILLING_ERROR } from './domain/errors';
import { BILLING_ROLES, BillingHttpModule, SCOPED_ROLES } from './http';
import { BillingMessagingModule } from './messaging';
import { BillingReadModule } from './read';

/**
 * The billing service's composition root. Configuration, logging, PostgreSQL, Kafka, health and
 * error mapping come from PlatformModule, which bootstrapService imports next to this module; the
 * ledger lives in this service's schema, on the same TypeORM DataSource (global, so every billing
 * module shares one PostgresEventStore).
 *
 * - BillingApplicationModule: price schedules, billing profiles, charging (inbox-driven), period
 *   close, the allocation directory; settings from BILLING_DEFAULT_CURRENCY,
 *   BILLING_EXPENSE_ACCOUNT, BILLING_CARBON_FUND_ACCOUNT and the service schema;
 * - BillingReadModule: statements, invoices, periods, journal export, reconciliation, rebound,
 *   replay verification over the `billing-books` tables;
 * - BillingMessagingModule: the usage.recorded and allocation-events consumers (through the
 *   ledger inbox), the relay of the public billing events, dead letters, GET /v1/admin/messaging;
 * - BillingHttpModule: the `/v1` API; AuthModule: API keys and roles on every route (unit
 *   managers' keys are scoped to a unit billing knows from allocation's events).
 */
@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    const settings = billingSettings({
      defaultCurrency: config.defaultCurrency,
      expenseAccount: config.expenseAccount,
      carbonFundAccount: config.carbonFundAccount,
      readModelSchema: config.databaseSchema,
    });
    const application = BillingApplicationModule.forRoot(settings);
    const read = BillingReadModule.forRoot({ readModelSchema: settings.readModelSchema });
    return {
      module: BillingModule,
      imports: [
        LedgerModule.forRoot({ schema: config.databaseSchema, global: true }),
        application,
        read,
        BillingMessagingModule.forRoot({ imports: [application] }),
        BillingHttpModule.forRoot({ imports: [application, read] }),
        AuthModule.forRoot({
          roles: [...BILLING_ROLES],
          scopedRoles: [...SCOPED_ROLES],
          scopeValidator: {
            imports: [application],
            inject: [BillingDirectory],
            useFactory: (directory: BillingDirectory) => async (unitId: string) => {
              if ((await directory.unit(unitId)) === null) {
                throw new PlafondError(
                  BILLING_ERROR.UNIT_NOT_FOUND,
                  `unit "${unitId}" is unknown to billing (it learns units from allocation's events)`,
                  { unitId },
                  404,
                );
              }
            },
          },
        }),
      ],
    };
  }
}
