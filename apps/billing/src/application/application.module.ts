import { type DynamicModule, Module } from '@nestjs/common';
import { UsageCharging } from './charging.service';
import { CLOCK, systemClock } from './clock';
import { BillingDirectory } from './directory';
import { BillingPeriods } from './periods.service';
import { BillingProfiles } from './profiles.service';
import { PriceSchedules } from './schedules.service';
import { BILLING_SETTINGS, billingSettings, type BillingSettings } from './settings';

/**
 * Billing's units of work: price schedules, billing profiles, charging (for the consumers),
 * periods and the allocation directory. Imports nothing: PostgresEventStore comes from the
 * global LedgerModule. Settings are checked here, so a bad value stops the service at start.
 */
@Module({})
export class BillingApplicationModule {
  static forRoot(settings: Partial<BillingSettings> = {}): DynamicModule {
    const checked = billingSettings(settings);
    const services = [
      BillingDirectory,
      BillingProfiles,
      BillingPeriods,
      UsageCharging,
      PriceSchedules,
    ];
    return {
      module: BillingApplicationModule,
      providers: [
        { provide: BILLING_SETTINGS, useValue: checked },
        { provide: CLOCK, useValue: systemClock },
        ...services,
      ],
      exports: [BILLING_SETTINGS, CLOCK, ...services],
    };
  }
}
