import { type DynamicModule, Module } from '@nestjs/common';
import { AllocationConfig } from '../config';
import { AllocationRelay } from './allocation-relay';
import { EVENT_STORE } from '@plafond/ledger';
import { DeadLetters, deadLettersProvider } from '@plafond/platform';
import {
  MESSAGING_SETTINGS,
  resolveMessagingSettings,
  type MessagingModuleOptions,
} from './messaging.options';
import { MessagingStatus } from './messaging.status';
import { USAGE_DEBITS, UsageRecordedConsumer } from './usage-recorded.kafka.controller';

/**
 * The Kafka edge of the allocation service: the relay publishing public events, the
 * usage.recorded consumer debiting budgets, and the dead letters of that consumer. Uses the
 * global DataSource-backed ledger (`EVENT_STORE`), `KafkaClients`, `JsonLogger` and
 * `AllocationConfig`. The composition root binds the usage port:
 * `MessagingModule.forRoot({ imports: [ApplicationModule], usageDebits: UsageDebits })`.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [...(options.imports ?? [])],
      providers: [
        {
          provide: MESSAGING_SETTINGS,
          inject: [AllocationConfig],
          useFactory: (config: AllocationConfig) => resolveMessagingSettings(config, options),
        },
        { provide: USAGE_DEBITS, useExisting: options.usageDebits },
        deadLettersProvider(EVENT_STORE),
        AllocationRelay,
        UsageRecordedConsumer,
        MessagingStatus,
      ],
      exports: [DeadLetters, AllocationRelay, UsageRecordedConsumer, MessagingStatus],
    };
  }
}
