import { SubscriptionError } from './subscription.errors';

export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;

/** Tunables shared by every subscription kind; all optional, all bounded. */
export interface SubscriptionTuning {
  /** Events per batch (one transaction, one checkpoint update). Default 500, 1..10 000. */
  batchSize?: number;
  /** Sleep when caught up, unless woken earlier. Default 500 ms, 1 ms..60 s. */
  idlePollMs?: number;
  /** First delay after a failed batch; doubles per consecutive failure. Default 100 ms. */
  initialBackoffMs?: number;
  /** Ceiling of the backoff delay. Default 30 s, at most 10 min. */
  maxBackoffMs?: number;
  /** After this many failures in a row the subscription stops in state `failed`. Default 10 000. */
  maxConsecutiveFailures?: number;
}

export type SubscriptionSettings = Required<SubscriptionTuning>;

const BOUNDS: Record<keyof SubscriptionTuning, { min: number; max: number; fallback: number }> = {
  batchSize: { min: 1, max: MAX_BATCH_SIZE, fallback: DEFAULT_BATCH_SIZE },
  idlePollMs: { min: 1, max: 60_000, fallback: 500 },
  initialBackoffMs: { min: 1, max: 60_000, fallback: 100 },
  maxBackoffMs: { min: 1, max: 600_000, fallback: 30_000 },
  maxConsecutiveFailures: { min: 1, max: 1_000_000, fallback: 10_000 },
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;

export function assertSubscriptionName(name: string): void {
  if (!NAME.test(name)) {
    throw new SubscriptionError(
      'CONFIG.INVALID',
      `subscription name "${name}" must match ${NAME.source}`,
    );
  }
}

/** Applies defaults and rejects out-of-range values at construction, never at run time. */
export function resolveSubscriptionSettings(tuning: SubscriptionTuning = {}): SubscriptionSettings {
  const resolved = {} as SubscriptionSettings;
  for (const key of Object.keys(BOUNDS) as (keyof SubscriptionTuning)[]) {
    const { min, max, fallback } = BOUNDS[key];
    const value = tuning[key] ?? fallback;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new SubscriptionError(
        'CONFIG.INVALID',
        `${key} must be an integer in [${min}, ${max}], got ${String(value)}`,
      );
    }
    resolved[key] = value;
  }
  if (resolved.initialBackoffMs > resolved.maxBackoffMs) {
    throw new SubscriptionError('CONFIG.INVALID', 'initialBackoffMs must not exceed maxBackoffMs');
  }
  return resolved;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed so retries never hammer,
 * half is random so several instances failing together spread out.
 */
export function backoffDelayMs(
  consecutiveFailures: number,
  settings: Pick<SubscriptionSettings, 'initialBackoffMs' | 'maxBackoffMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
  const ceiling = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
