// Bounds of the reservation hot path and of the expirer; defaults fit one account taking
// thousands of reservations a second per instance.
export interface ReservationSettings {
  /** Commands of one account decided in one transaction (default 200). */
  maxBatchSize: number;
  /** Reservation commands accepted and not yet answered in this process (default 10 000). */
  maxQueued: number;
  /** Pause between expiry sweeps (default 1 s). */
  expiryIntervalMs: number;
  /** Due reservations taken per sweep (default 500). */
  expiryBatchLimit: number;
  /** Run the sweep loop from application bootstrap (default true; tests call expireDue). */
  runExpirer: boolean;
  /** Account states remembered between batches, least recently used forgotten (default 256). */
  rememberedAccounts: number;
  /** Accounts of granted reservations remembered for their release or commit (default 10 000). */
  rememberedReservations: number;
  /**
   * Events a remembered state may be caught up by before the next batch loads the account in
   * full again, which writes its snapshot (default 500).
   */
  fullLoadEvery: number;
}

export const RESERVATION_SETTINGS = Symbol('plafond.allocation.RESERVATION_SETTINGS');

export const DEFAULT_RESERVATION_SETTINGS: ReservationSettings = {
  maxBatchSize: 200,
  maxQueued: 10_000,
  expiryIntervalMs: 1_000,
  expiryBatchLimit: 500,
  runExpirer: true,
  rememberedAccounts: 256,
  rememberedReservations: 10_000,
  fullLoadEvery: 500,
};

export function reservationSettings(
  overrides: Partial<ReservationSettings> = {},
): ReservationSettings {
  return checkPositiveIntegers('reservation', { ...DEFAULT_RESERVATION_SETTINGS, ...overrides });
}

/** `settings` as given; throws unless every number in it is a positive safe integer. */
export function checkPositiveIntegers<T extends object>(kind: string, settings: T): T {
  for (const [name, value] of Object.entries(settings))
    if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 1))
      throw new Error(`${kind} setting ${name} must be a positive integer, got ${value}`);
  return settings;
}
