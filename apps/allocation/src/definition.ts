import { ServiceDefinition } from '@plafond/platform';
import { AllocationModule } from './allocation.module';
import { AllocationConfig } from './config';
import { allocationMigrations } from './migrations';

export const ALLOCATION_SERVICE: ServiceDefinition<AllocationConfig> = {
  name: 'allocation',
  configClass: AllocationConfig,
  module: (config) => AllocationModule.forRoot(config),
  migrations: allocationMigrations,
  // docs/allocation-api.md refuses exponents; `1e3` as a JSON number is invisible once parsed.
  refuseExponentNumbers: true,
  openApi: {
    title: 'Plafond allocation',
    description:
      'Owns the unit tree, budgets and their non-extendable ceilings, allocation criteria, ' +
      'allocations, reservations and balances. Admins open budgets and set criteria; unit ' +
      'managers see their share, transfer unused quota and reserve before large jobs. Consumes ' +
      '`usage.recorded`, publishes allocation events.',
  },
};
