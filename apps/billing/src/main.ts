import { bootstrapService } from '@plafond/platform';
import { BILLING_SERVICE } from './definition';

void bootstrapService(BILLING_SERVICE);
