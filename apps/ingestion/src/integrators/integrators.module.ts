import { Module } from '@nestjs/common';
import { IntegratorService } from './integrator.service';
import { IntegratorsHttpController } from './integrators.http.controller';

/**
 * Integrators and their keys (`/v1/integrators`). Needs PlatformModule (DataSource,
 * ServiceConfig) and AuthModule (ApiKeyService, ApiKeyStore; roles admin, integrator, auditor).
 */
@Module({
  controllers: [IntegratorsHttpController],
  providers: [IntegratorService],
  exports: [IntegratorService],
})
export class IntegratorsModule {}
