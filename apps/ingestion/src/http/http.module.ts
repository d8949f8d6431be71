import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IntegratorsModule } from '../integrators';
import { IngestionAdminHttpController } from './admin.http.controller';
import { IngestionErrorInterceptor } from './error-mapping';
import { FactorSetsHttpController } from './factor-sets.http.controller';
import {
  INGESTION_HTTP_SETTINGS,
  ingestionHttpSettings,
  type IngestionHttpSettings,
} from './http.settings';
import { UsageHttpController } from './usage.http.controller';

export interface IngestionHttpModuleOptions extends Partial<IngestionHttpSettings> {
  /** Modules providing UsagePipeline and FactorSetService unless global (IngestionApplicationModule). */
  readonly imports?: NonNullable<ModuleMetadata['imports']>;
}

/**
 * The ingestion service's HTTP edge: `POST /v1/usage`, `/v1/factor-sets`,
 * `/v1/admin/ledger/verify`, and (through
 * IntegratorsModule) `/v1/integrators`. Needs PlatformModule and AuthModule (roles admin,
 * integrator, auditor).
 */
@Module({})
export class IngestionHttpModule {
  static forRoot(options: IngestionHttpModuleOptions = {}): DynamicModule {
    const { imports = [], ...settings } = options;
    return {
      module: IngestionHttpModule,
      imports: [...imports, IntegratorsModule],
      controllers: [UsageHttpController, FactorSetsHttpController, IngestionAdminHttpController],
      providers: [
        { provide: INGESTION_HTTP_SETTINGS, useValue: ingestionHttpSettings(settings) },
        { provide: APP_INTERCEPTOR, useClass: IngestionErrorInterceptor },
      ],
      exports: [IntegratorsModule],
    };
  }
}
