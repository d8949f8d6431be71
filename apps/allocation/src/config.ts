import { ServiceConfig } from '@plafond/platform';

/** The allocation service's settings; everything is validated at start (see docs/configuration.md). */
export class AllocationConfig extends ServiceConfig {
  override port = 3001;
  override databaseSchema = 'allocation';
  override kafkaClientId = 'plafond-allocation';
}
