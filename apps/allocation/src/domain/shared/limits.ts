// Every collection the domain holds or walks is bounded here, so a state stays small enough to
// snapshot and every loop has a known worst case (TigerBeetle style).
import { ALLOCATION_LIMITS } from '../criteria';

const DAY_MS = 86_400_000;

export const DOMAIN_LIMITS = {
  /** Unit, budget, reservation, use-case... ids. Two ids and a prefix fit a 200-char stream id. */
  idLength: 90,
  nameLength: 200,
  reasonLength: 500,
  units: ALLOCATION_LIMITS.maxTreeNodes,
  treeDepth: ALLOCATION_LIMITS.maxTreeDepth,
  attributesPerVersion: 64,
  attributeVersionsPerUnit: 1_000,
  attributeScale: 18,
  usefulnessClasses: 16,
  useCases: 10_000,
  thresholds: 16,
  /** 1000 %: soft budgets may want alerts past the allocation. */
  thresholdMaxBasisPoints: 100_000,
  /**
   * Pending reservations of one account: the hot path's state grows with these only. Closing an
   * account releases each in one append, and the ledger takes at most 1 000 events per append.
   */
  pendingReservations: 900,
  /** Finalised reservations remembered for retries; older ids are guarded by ledger event ids. */
  recentOutcomes: 512,
  reservationTimeoutMaxMs: 7 * DAY_MS,
  allocationRounds: 100,
  /** Units per UnitsAllocated event: keeps each event far below the ledger's 1 MiB. */
  unitsPerAllocationEvent: 200,
} as const;
