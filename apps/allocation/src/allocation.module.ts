import { type DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@plafond/ledger';
import { AuthModule, PlafondError } from '@plafond/platform';
import {
  ApplicationModule,
  OrganisationService,
  RESERVATION_SETTINGS,
  UsageDebits,
  type ReservationSettings,
} from './application';
import { type AllocationConfig } from './config';
import { DomainError } from './domain';
import { ALLOCATION_ROLES, HttpModule, SCOPED_ROLES } from './http';
import { MessagingModule } from './messaging';
import { ReadModule } from './read';

/**
 * The allocation service's composition root. Configuration, logging, PostgreSQL, Kafka, health and
 * error mapping come from PlatformModule, which bootstrapService imports next to this module; the
 * ledger lives in this service's schema, on the same TypeORM DataSource.
 *
 * - ApplicationModule: commands as units of work on the ledger (units, catalog, budgets,
 *   reservations and their expirer, usage debits);
 * - ReadModule: strong balance and history queries, the unit-balances projection;
 * - MessagingModule: the relay of public events and the usage.recorded consumer;
 * - HttpModule: the `/v1` API; AuthModule: API keys and roles on every route.
 */
/** The reservation hot path's bounds from the config, for ApplicationModule's ReservationService. */
@Module({})
class ReservationSettingsModule {
  static forRoot(config: AllocationConfig): DynamicModule {
    const settings: Partial<ReservationSettings> = { maxQueued: config.reservationMaxQueued };
    return {
      module: ReservationSettingsModule,
      global: true,
      providers: [{ provide: RESERVATION_SETTINGS, useValue: settings }],
      exports: [RESERVATION_SETTINGS],
    };
  }
}

@Module({})
export class AllocationModule {
  static forRoot(config: AllocationConfig): DynamicModule {
    const messaging = MessagingModule.forRoot({
      imports: [ApplicationModule],
      usageDebits: UsageDebits,
    });
    return {
      module: AllocationModule,
      imports: [
        LedgerModule.forRoot({ schema: config.databaseSchema, global: true }),
        ReservationSettingsModule.forRoot(config),
        ApplicationModule,
        ReadModule,
        messaging,
        HttpModule.forRoot({ imports: [ApplicationModule, ReadModule, messaging] }),
        AuthModule.forRoot({
          roles: [...ALLOCATION_ROLES],
          scopedRoles: [...SCOPED_ROLES],
          scopeValidator: {
            imports: [ApplicationModule],
            inject: [OrganisationService],
            useFactory: (organisation: OrganisationService) => async (unitId: string) => {
              try {
                await organisation.unit(unitId);
              } catch (error) {
                if (error instanceof DomainError && error.code === 'UNIT.NOT_FOUND') {
                  throw new PlafondError(error.code, error.message, error.details, 404);
                }
                throw error;
              }
            },
          },
        }),
      ],
    };
  }
}
