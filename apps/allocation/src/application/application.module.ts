import { Module } from '@nestjs/common';
import { BudgetService } from './budget.service';
import { CatalogService } from './catalog.service';
import { CLOCK, systemClock } from './clock';
import { OrganisationService } from './organisation.service';
import { ReservationRefusals } from './refusal-recorder';
import { ReservationExpirer } from './reservation-expirer';
import { ReservationService } from './reservation.service';
import { UsageDebits } from './usage-debits';

const SERVICES = [
  OrganisationService,
  CatalogService,
  BudgetService,
  ReservationRefusals,
  ReservationService,
  ReservationExpirer,
  UsageDebits,
];

/**
 * The allocation service's commands and units of work. Imports nothing: the ledger's
 * PostgresEventStore comes from the global LedgerModule, the JsonLogger from PlatformModule.
 * Provide RESERVATION_SETTINGS (Partial<ReservationSettings>) to change the hot path's bounds.
 */
@Module({
  providers: [...SERVICES, { provide: CLOCK, useValue: systemClock }],
  exports: [...SERVICES, CLOCK],
})
export class ApplicationModule {}
