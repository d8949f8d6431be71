import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@plafond/ledger';
import { AuthModule } from '@plafond/platform';
import { IngestionApplicationModule } from './application';
import { type IngestionConfig } from './config';
import { IngestionHttpModule } from './http';
import { IntegratorService, IntegratorsModule } from './integrators';
import { IngestionMessagingModule } from './messaging';

/** Roles of ingestion's API keys: integrators report usage, auditors read, admins manage. */
export const INGESTION_ROLES = ['admin', 'integrator', 'auditor'] as const;

/**
 * The ingestion service's composition root. Configuration, logging, PostgreSQL, Kafka, health and
 * error mapping come from PlatformModule, which bootstrapService imports next to this module; the
 * ledger lives in this service's schema, on the same TypeORM DataSource.
 *
 * - IngestionApplicationModule: the usage pipeline (validate, scope, deduplicate, convert, append)
 *   and factor sets with re-rating;
 * - IngestionHttpModule: `POST /v1/usage`, `/v1/factor-sets`, `/v1/integrators` and their keys;
 * - IngestionMessagingModule: the raw usage consumer, the relay (usage.recorded, usage.rejected,
 *   usage.adjusted), the allocation events consumer that teaches the unit directory, dedup pruning.
 * One `application` object is imported everywhere, so the process has one pipeline.
 */
@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    const application = IngestionApplicationModule.forRoot({
      maxLatenessMs: config.ingestMaxLatenessMs,
      maxFutureSkewMs: config.ingestMaxFutureSkewMs,
      dedupWindowMs: config.ingestDedupWindowMs,
    });
    return {
      module: IngestionModule,
      imports: [
        LedgerModule.forRoot({ schema: config.databaseSchema, global: true }),
        application,
        AuthModule.forRoot({ roles: [...INGESTION_ROLES], scopedRoles: [] }),
        IngestionHttpModule.forRoot({
          imports: [application],
          maxBatchItems: config.ingestMaxBatchItems,
          maxItemsInFlight: config.ingestMaxItemsInFlight,
        }),
        IngestionMessagingModule.forRoot({
          imports: [application, IntegratorsModule],
          integratorLookup: IntegratorService,
        }),
      ],
    };
  }
}
