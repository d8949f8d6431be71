import { ServiceConfig } from '@plafond/platform';

/** The billing service's settings; everything is validated at start (see docs/configuration.md). */
export class BillingConfig extends ServiceConfig {
  override port = 3003;
  override databaseSchema = 'billing';
  override kafkaClientId = 'plafond-billing';
}
