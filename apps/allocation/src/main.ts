import { bootstrapService } from '@plafond/platform';
import { ALLOCATION_SERVICE } from './definition';

void bootstrapService(ALLOCATION_SERVICE);
