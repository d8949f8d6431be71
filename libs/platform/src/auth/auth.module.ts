import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ServiceConfig } from '../config/service-config';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyGuard } from './api-key.guard';
import { API_KEY_SCHEMA, ApiKeyStore } from './api-key.store';
import { ApiKeysHttpController } from './api-keys.http.controller';
import { AuthSelfHttpController } from './auth-self.http.controller';
import { ApiKeyService } from './api-keys.service';
import {
  AUTH_OPTIONS,
  AuthModuleOptions,
  resolveAuthOptions,
  SCOPE_VALIDATOR,
} from './auth-options';
import { BOOTSTRAP_ADMIN_API_KEY, BootstrapAdminKey } from './bootstrap-admin-key';
import { DeclaredRolesCheck } from './declared-roles.check';
import { RouteCatalog } from './route-catalog';

/**
 * API keys and roles for one service: the global guard (deny by default), `/v1/api-keys`,
 * `GET /v1/auth/self`, the bootstrap admin key from ADMIN_API_KEY. Needs PlatformModule (global
 * DataSource, ServiceConfig, JsonLogger) and the `api_keys` table in the service's schema
 * (`apiKeyTableStatements`).
 *
 *   AuthModule.forRoot({ roles: ['admin', 'auditor', 'service'], scopedRoles: [] })
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const resolved = resolveAuthOptions(options);
    const scopeValidator: Provider[] =
      options.scopeValidator === undefined
        ? []
        : [
            {
              provide: SCOPE_VALIDATOR,
              useFactory: options.scopeValidator.useFactory,
              inject: options.scopeValidator.inject ?? [],
            },
          ];
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule, ...(options.scopeValidator?.imports ?? [])],
      controllers: [ApiKeysHttpController, AuthSelfHttpController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: resolved },
        {
          provide: API_KEY_SCHEMA,
          useFactory: (config: ServiceConfig) => config.databaseSchema,
          inject: [ServiceConfig],
        },
        {
          provide: BOOTSTRAP_ADMIN_API_KEY,
          useFactory: (config: ServiceConfig) => config.adminApiKey,
          inject: [ServiceConfig],
        },
        ...scopeValidator,
        ApiKeyStore,
        ApiKeyAuthenticator,
        ApiKeyService,
        BootstrapAdminKey,
        DeclaredRolesCheck,
        RouteCatalog,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [AUTH_OPTIONS, ApiKeyStore, ApiKeyAuthenticator, ApiKeyService, BootstrapAdminKey],
    };
  }
}
