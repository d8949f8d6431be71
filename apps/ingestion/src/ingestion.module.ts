import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@plafond/ledger';
import { IngestionApplicationModule } from './application';
import { type IngestionConfig } from './config';

/**
 * The ingestion service's own features. Configuration, logging, PostgreSQL, Kafka, health and error
 * mapping come from PlatformModule, which bootstrapService imports next to this module; the
 * ledger lives in this service's schema, on the same TypeORM DataSource.
 */
@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        LedgerModule.forRoot({ schema: config.databaseSchema, global: true }),
        IngestionApplicationModule.forRoot(),
      ],
    };
  }
}
