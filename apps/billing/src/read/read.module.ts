import { Module, type DynamicModule } from '@nestjs/common';
import { BillingReports } from './billing-reports.service';
import {
  BILLING_READ_SETTINGS,
  validateReadSettings,
  type BillingReadSettings,
} from './read.settings';

/**
 * The billing read side: `BillingReports` over the `billing-books` tables and the directory
 * tables in `settings.readModelSchema`. Uses the global ledger store (`PostgresEventStore`, from
 * `LedgerModule.forRoot({ global: true })`).
 */
@Module({})
export class BillingReadModule {
  static forRoot(settings: BillingReadSettings): DynamicModule {
    return {
      module: BillingReadModule,
      providers: [
        { provide: BILLING_READ_SETTINGS, useValue: validateReadSettings(settings) },
        BillingReports,
      ],
      exports: [BillingReports],
    };
  }
}
