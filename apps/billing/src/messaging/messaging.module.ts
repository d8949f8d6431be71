import { type DynamicModule, Module } from '@nestjs/common';
import { BillingConfig } from '../config';
import { AllocationEventsConsumer } from './allocation-events.consumer';
import { BillingRelay } from './billing-relay';
import { EVENT_STORE } from '@plafond/ledger';
import { DeadLetters, deadLettersProvider } from '@plafond/platform';
import { BillingMessagingHttpController } from './messaging.http.controller';
import {
  BILLING_MESSAGING_SETTINGS,
  resolveBillingMessagingSettings,
  type BillingMessagingModuleOptions,
} from './messaging.options';
import { BillingMessagingStatus } from './messaging.status';
import { UsageRecordedConsumer } from './usage-recorded.consumer';

/**
 * The Kafka edge of billing: the usage.recorded consumer (charges, adjustment notes), the
 * allocation events consumer (unit tree, use cases, debits, overrun surcharges), the relay of the
 * public billing events, and the dead letters of both consumers. Needs the global ledger
 * (`EVENT_STORE`), `KafkaClients`, `JsonLogger`, `BillingConfig`, and the application's
 * `UsageCharging` and `BillingDirectory`:
 * `BillingMessagingModule.forRoot({ imports: [BillingApplicationModule.forRoot(settings)] })`.
 */
@Module({})
export class BillingMessagingModule {
  static forRoot(options: BillingMessagingModuleOptions = {}): DynamicModule {
    return {
      module: BillingMessagingModule,
      imports: [...(options.imports ?? [])],
      controllers: [BillingMessagingHttpController],
      providers: [
        {
          provide: BILLING_MESSAGING_SETTINGS,
          inject: [BillingConfig],
          useFactory: (config: BillingConfig) => resolveBillingMessagingSettings(config, options),
        },
        deadLettersProvider(EVENT_STORE),
        BillingRelay,
        UsageRecordedConsumer,
        AllocationEventsConsumer,
        BillingMessagingStatus,
      ],
      exports: [
        DeadLetters,
        BillingRelay,
        UsageRecordedConsumer,
        AllocationEventsConsumer,
        BillingMessagingStatus,
      ],
    };
  }
}
