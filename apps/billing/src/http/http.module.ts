import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { BillingDirectory } from '../application';
import { BILLING_UNIT_TREE, BillingScope } from './access';
import { BillingAdminHttpController } from './admin.http.controller';
import { BillingErrorInterceptor } from './error-mapping';
import { ExportsHttpController } from './exports.http.controller';
import { InvoicesHttpController } from './invoices.http.controller';
import { PeriodsHttpController } from './periods.http.controller';
import { BillingProfilesHttpController } from './profiles.http.controller';
import { ReportsHttpController } from './reports.http.controller';
import { PriceSchedulesHttpController } from './schedules.http.controller';
import { StatementsHttpController } from './statements.http.controller';

export interface BillingHttpModuleOptions {
  /**
   * The modules whose providers the controllers use: the same BillingApplicationModule.forRoot(...)
   * object the composition root imports, and BillingReadModule (one instance of each).
   */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/**
 * The billing service's HTTP edge (`/v1/...`): controllers validate, check a unit manager's scope
 * and delegate. The platform's AuthModule (global guard) authenticates every route and checks
 * `@Roles`; BillingErrorInterceptor maps BillingError; the platform's filter answers
 * `{ code, message, details }`. PostgresEventStore comes from the global LedgerModule.
 */
@Module({})
export class BillingHttpModule {
  static forRoot(options: BillingHttpModuleOptions): DynamicModule {
    return {
      module: BillingHttpModule,
      imports: [...options.imports],
      controllers: [
        PriceSchedulesHttpController,
        BillingProfilesHttpController,
        StatementsHttpController,
        PeriodsHttpController,
        InvoicesHttpController,
        ExportsHttpController,
        ReportsHttpController,
        BillingAdminHttpController,
      ],
      providers: [
        BillingErrorInterceptor,
        { provide: BILLING_UNIT_TREE, useExisting: BillingDirectory },
        BillingScope,
      ],
      exports: [BillingScope],
    };
  }
}
