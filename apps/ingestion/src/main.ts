import { bootstrapService } from '@plafond/platform';
import { INGESTION_SERVICE } from './definition';

void bootstrapService(INGESTION_SERVICE);
