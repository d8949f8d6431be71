import { type DynamicModule, Module } from '@nestjs/common';
import { IngestionConfig } from '../config';
import { IngestionMessagingHttpController } from './messaging.http.controller';
import { AllocationEventsConsumer } from './allocation-events.consumer';
import { DedupPruner } from './dedup-pruner';
import { IngestionRelay } from './ingestion-relay';
import {
  INGESTION_MESSAGING_SETTINGS,
  INTEGRATOR_LOOKUP,
  resolveIngestionMessagingSettings,
  type IngestionMessagingModuleOptions,
} from './messaging.options';
import { IngestionMessagingStatus } from './messaging.status';
import { RawUsageConsumer } from './usage-raw.consumer';

/**
 * The Kafka edge of ingestion: the relay (usage.recorded, usage.adjusted, usage.rejected), the
 * raw usage consumer, the allocation events consumer and the daily dedup pruning. Needs the
 * global ledger (`EVENT_STORE`), `KafkaClients`, `JsonLogger`, `IngestionConfig`, the
 * application's `UsagePipeline` and `PostgresUnitDirectory`, and `INTEGRATOR_LOOKUP`:
 * `IngestionMessagingModule.forRoot({ imports: [IngestionApplicationModule, IntegratorsModule],
 * integratorLookup: IntegratorService })`.
 */
@Module({})
export class IngestionMessagingModule {
  static forRoot(options: IngestionMessagingModuleOptions): DynamicModule {
    return {
      module: IngestionMessagingModule,
      imports: [...(options.imports ?? [])],
      controllers: [IngestionMessagingHttpController],
      providers: [
        {
          provide: INGESTION_MESSAGING_SETTINGS,
          inject: [IngestionConfig],
          useFactory: (config: IngestionConfig) =>
            resolveIngestionMessagingSettings(config, options),
        },
        { provide: INTEGRATOR_LOOKUP, useExisting: options.integratorLookup },
        IngestionRelay,
        RawUsageConsumer,
        AllocationEventsConsumer,
        DedupPruner,
        IngestionMessagingStatus,
      ],
      exports: [
        IngestionRelay,
        RawUsageConsumer,
        AllocationEventsConsumer,
        DedupPruner,
        IngestionMessagingStatus,
      ],
    };
  }
}
