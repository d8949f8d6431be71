// Settings of the read side, derived from the service's config; tests and tools override the
// READ_SETTINGS provider.
import type { SubscriptionTuning } from '@plafond/ledger';
import type { AllocationConfig } from '../config';

export const READ_SETTINGS = Symbol('plafond.allocation.READ_SETTINGS');

export interface ReadSettings {
  /** Schema of the live unit_balances table (the service's schema: one migration creates it). */
  readModelSchema: string;
  /** Start the projection at application bootstrap (default true). */
  autoStart: boolean;
  /** Batch size, idle poll, backoff of the projection's subscription (ledger defaults otherwise). */
  tuning: SubscriptionTuning;
}

export function readSettingsFrom(
  config: Pick<AllocationConfig, 'databaseSchema'>,
  overrides: Partial<ReadSettings> = {},
): ReadSettings {
  return {
    readModelSchema: config.databaseSchema,
    autoStart: true,
    tuning: {},
    ...overrides,
  };
}
