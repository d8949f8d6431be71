import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { OrganisationService } from '../application';
import { ORGANISATION_READER, ScopeChecker } from './access';
import { AdminHttpController } from './admin.http.controller';
import { AllocationsHttpController } from './allocations.http.controller';
import { BalancesHttpController } from './balances.http.controller';
import { BudgetsHttpController } from './budgets.http.controller';
import { CatalogHttpController } from './catalog.http.controller';
import { AllocationErrorInterceptor } from './error-mapping';
import { InsightsHttpController, RefusalBufferHttpController } from './insights.http.controller';
import { ReservationsHttpController } from './reservations.http.controller';
import { UnitsHttpController } from './units.http.controller';

export interface HttpModuleOptions {
  /**
   * The modules whose providers the controllers use: ApplicationModule, ReadModule and the same
   * MessagingModule.forRoot(...) object the composition root imports (one instance of each).
   */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/**
 * The allocation service's HTTP edge (`/v1/...`): controllers validate, check a unit manager's
 * scope and delegate. The platform's AuthModule (global guard) authenticates every route and
 * checks `@Roles`; the platform's filter answers errors as `{ code, message, details }`.
 */
@Module({})
export class HttpModule {
  static forRoot(options: HttpModuleOptions): DynamicModule {
    return {
      module: HttpModule,
      imports: [...options.imports],
      controllers: [
        UnitsHttpController,
        CatalogHttpController,
        BudgetsHttpController,
        AllocationsHttpController,
        BalancesHttpController,
        InsightsHttpController,
        RefusalBufferHttpController,
        ReservationsHttpController,
        AdminHttpController,
      ],
      providers: [
        AllocationErrorInterceptor,
        { provide: ORGANISATION_READER, useExisting: OrganisationService },
        ScopeChecker,
      ],
    };
  }
}
