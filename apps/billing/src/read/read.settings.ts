// What the read side needs to know: where the `billing-books` tables and the allocation
// directory tables (units, use_cases) live. The service passes its configured schema.
import { assertSchemaName } from '@plafond/ledger';

export interface BillingReadSettings {
  /** Schema of the books tables (projection `billing-books`) and of the directory tables. */
  readonly readModelSchema: string;
  /** Prefix of the temporary schemas `verifyReplay` rebuilds into (dropped after). */
  readonly replaySchemaPrefix?: string;
}

export const BILLING_READ_SETTINGS = Symbol('BILLING_READ_SETTINGS');

export function validateReadSettings(settings: BillingReadSettings): BillingReadSettings {
  assertSchemaName(settings.readModelSchema);
  if (settings.replaySchemaPrefix !== undefined) assertSchemaName(settings.replaySchemaPrefix);
  return settings;
}
