import { type DynamicModule, Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock';
import { FactorSetService } from './factor-set.service';
import { INGESTION_SETTINGS, ingestionSettings, type IngestionSettings } from './settings';
import { PostgresUnitDirectory, UNIT_DIRECTORY } from './unit-directory';
import { UsagePipeline } from './usage-pipeline';

/**
 * The ingestion service's units of work: the usage pipeline, factor sets and the unit
 * directory. Imports nothing: PostgresEventStore comes from the global LedgerModule. Settings
 * are checked here, so a bad value stops the service at start.
 */
@Module({})
export class IngestionApplicationModule {
  static forRoot(settings: Partial<IngestionSettings> = {}): DynamicModule {
    const checked = ingestionSettings(settings);
    return {
      module: IngestionApplicationModule,
      providers: [
        { provide: INGESTION_SETTINGS, useValue: checked },
        { provide: CLOCK, useValue: systemClock },
        PostgresUnitDirectory,
        { provide: UNIT_DIRECTORY, useExisting: PostgresUnitDirectory },
        FactorSetService,
        UsagePipeline,
      ],
      exports: [
        INGESTION_SETTINGS,
        CLOCK,
        PostgresUnitDirectory,
        UNIT_DIRECTORY,
        FactorSetService,
        UsagePipeline,
      ],
    };
  }
}
