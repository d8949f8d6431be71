import { ServiceConfig } from '@plafond/platform';

/** The ingestion service's settings; everything is validated at start (see docs/configuration.md). */
export class IngestionConfig extends ServiceConfig {
  override port = 3002;
  override databaseSchema = 'ingestion';
  override kafkaClientId = 'plafond-ingestion';
}
