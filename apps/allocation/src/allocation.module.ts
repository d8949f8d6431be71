import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@plafond/ledger';
import { type AllocationConfig } from './config';

/**
 * The allocation service's own features. Configuration, logging, PostgreSQL, Kafka, health and error
 * mapping come from PlatformModule, which bootstrapService imports next to this module; the
 * ledger lives in this service's schema, on the same TypeORM DataSource.
 */
@Module({})
export class AllocationModule {
  static forRoot(config: AllocationConfig): DynamicModule {
    return {
      module: AllocationModule,
      imports: [LedgerModule.forRoot({ schema: config.databaseSchema })],
    };
  }
}
