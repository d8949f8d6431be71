import { ServiceDefinition } from '@plafond/platform';
import { IngestionConfig } from './config';
import { IngestionModule } from './ingestion.module';
import { ingestionMigrations } from './migrations';

export const INGESTION_SERVICE: ServiceDefinition<IngestionConfig> = {
  name: 'ingestion',
  configClass: IngestionConfig,
  module: (config) => IngestionModule.forRoot(config),
  migrations: ingestionMigrations,
  openApi: {
    title: 'Plafond ingestion',
    description:
      'Owns integrators’ API keys, usage validation and deduplication, and the versioned energy ' +
      'and carbon factor sets. Takes usage in batches over HTTP or from the raw usage topic and ' +
      'publishes `usage.recorded` or `usage.rejected` for every event.',
  },
};
