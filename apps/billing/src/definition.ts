import { ServiceDefinition } from '@plafond/platform';
import { BillingModule } from './billing.module';
import { BillingConfig } from './config';
import { billingMigrations } from './migrations';

export const BILLING_SERVICE: ServiceDefinition<BillingConfig> = {
  name: 'billing',
  configClass: BillingConfig,
  module: (config) => BillingModule.forRoot(config),
  migrations: billingMigrations,
  openApi: {
    title: 'Plafond billing',
    description:
      'Owns price schedules (the internal carbon price), charges, statements, invoices and ' +
      'reconciliation. Consumes `usage.recorded` and allocation events, publishes billing events ' +
      'and exports journal lines for finance.',
  },
};
