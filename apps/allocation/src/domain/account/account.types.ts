// One unit's quota in one budget: the hot path (stream `account-<budgetId>-<unitId>`). The state
// holds totals, per-class totals, pending reservations and a bounded window of recent outcomes:
// nothing that grows with the number of usages. Types only; amounts are strings in events.
import type { Dimension } from '@plafond/contracts';
import type { ClassRule } from '../catalog/catalog.types';
import type { BudgetMode } from '../budget/budget.types';
import type { Command } from '../shared/command';

/** Budget facts the account needs; given on the commands that may open it (see `accountTerms`). */
export interface AccountTerms {
  budgetId: string;
  unitId: string;
  dimension: Dimension;
  mode: BudgetMode;
  thresholdsBasisPoints: number[];
  /** ISO instant; no reservation at or after it. */
  periodEndsAt: string;
}

interface AccountRef {
  budgetId: string;
  unitId: string;
}

export type FinalOutcome = 'committed' | 'released' | 'expired';

/** Why a usage was debited directly although it named a reservation. */
export type DebitFlag =
  | 'reservation_expired'
  | 'reservation_released'
  | 'reservation_committed'
  | 'reservation_unknown'
  | 'exceeded_reservation';

export type AccountEvent =
  | { type: 'AccountOpened'; data: AccountTerms }
  | {
      type: 'QuotaAllocated';
      data: AccountRef & { allocationId: string; amount: string; allocated: string };
    }
  | {
      type: 'QuotaReserved';
      data: AccountRef & {
        reservationId: string;
        amount: string;
        useCase: string;
        usefulnessClass: string;
        timeoutMs: number;
        expiresAt: string;
        available: string;
      };
    }
  | {
      type: 'ReservationCommitted';
      data: AccountRef & {
        reservationId: string;
        reservedAmount: string;
        committedAmount: string;
        releasedAmount: string;
        usefulnessClass: string;
        /** The usage that committed it, or null for an explicit commit. */
        usageId: string | null;
      };
    }
  | {
      type: 'ReservationReleased';
      data: AccountRef & {
        reservationId: string;
        amount: string;
        usefulnessClass: string;
        reason: 'released' | 'period_closed';
      };
    }
  | {
      type: 'ReservationExpired';
      data: AccountRef & {
        reservationId: string;
        amount: string;
        usefulnessClass: string;
        expiresAt: string;
      };
    }
  | {
      type: 'UsageDebited';
      data: AccountRef & {
        usageId: string;
        amount: string;
        /** The part of `amount` beyond the allocation: recorded here, announced by OverrunRecorded. */
        overrunAmount: string;
        useCase: string;
        usefulnessClass: string | null;
        reservationId: string | null;
        flag: DebitFlag | null;
        occurredAt: string | null;
      };
    }
  | {
      type: 'OverrunRecorded';
      data: AccountRef & {
        usageId: string;
        amount: string;
        overrun: string;
        allocated: string;
        committed: string;
      };
    }
  | { type: 'UnitBlocked'; data: AccountRef & { reason: 'overrun' } }
  | {
      type: 'UnitUnblocked';
      data: AccountRef & { reason: 'quota_transferred_in' | 'quota_allocated' };
    }
  | {
      type: 'ThresholdCrossed';
      data: AccountRef & { thresholdBasisPoints: number; committed: string; allocated: string };
    }
  | {
      type: 'QuotaTransferredOut';
      data: AccountRef & {
        transferId: string;
        toUnitId: string;
        amount: string;
        reason: string;
        actor: string;
      };
    }
  | {
      type: 'QuotaTransferredIn';
      data: AccountRef & {
        transferId: string;
        fromUnitId: string;
        amount: string;
        reason: string;
        actor: string;
      };
    }
  | { type: 'QuotaReclaimed'; data: AccountRef & { reclaimId: string; amount: string } }
  | {
      type: 'AccountClosed';
      data: AccountRef & { allocated: string; committed: string; overrun: string };
    };

export interface ReserveData {
  reservationId: string;
  amount: bigint;
  useCase: string;
  /** Resolved by the caller from the catalog (`resolveUseCase`). */
  usefulnessClass: { className: string; rule: ClassRule };
  timeoutMs: number;
}

export interface RecordUsageData {
  usageId: string;
  amount: bigint;
  useCase: string;
  /** Null when the use case is not in the catalog: the usage is recorded all the same. */
  usefulnessClass: string | null;
  reservationId?: string;
  occurredAt?: string;
  /** Needed only when the account does not exist yet (usage by a unit without allocation). */
  terms?: AccountTerms;
}

export interface TransferOutData {
  transferId: string;
  toUnitId: string;
  amount: bigint;
  reason: string;
  actor: string;
}

export interface TransferInData {
  transferId: string;
  fromUnitId: string;
  amount: bigint;
  reason: string;
  actor: string;
}

export type AccountCommand =
  | Command<'AllocateQuota', { allocationId: string; amount: bigint; terms: AccountTerms }>
  | Command<'ReserveQuota', ReserveData>
  | Command<'CommitReservation', { reservationId: string; amount: bigint }>
  | Command<'ReleaseReservation', { reservationId: string }>
  | Command<'ExpireReservation', { reservationId: string }>
  | Command<'RecordUsage', RecordUsageData>
  | Command<'TransferQuotaOut', TransferOutData>
  | Command<'TransferQuotaIn', TransferInData>
  | Command<'ReclaimQuota', { reclaimId: string; amount: bigint }>
  | Command<'CloseAccount', Record<string, never>>;

export interface PendingReservation {
  amount: bigint;
  useCase: string;
  className: string;
  timeoutMs: number;
  expiresAtMs: number;
}

export interface RecentOutcome {
  reservationId: string;
  outcome: FinalOutcome;
  amount: bigint;
  useCase: string;
  timeoutMs: number;
  committedAmount: bigint;
}

export interface ClassTotals {
  reserved: bigint;
  committed: bigint;
}

export interface AccountState {
  status: 'none' | 'open' | 'closed';
  terms: AccountTerms | null;
  periodEndsAtMs: number;
  allocated: bigint;
  reserved: bigint;
  /** All usage debited, including overrun. */
  committed: bigint;
  /** Usage debited beyond the allocation (recorded by OverrunRecorded), never given back. */
  overrun: bigint;
  blocked: boolean;
  thresholdsCrossed: number[];
  /** Allocation rounds applied (at most DOMAIN_LIMITS.allocationRounds), for retries. */
  allocationIds: string[];
  byClass: Record<string, ClassTotals>;
  pending: Record<string, PendingReservation>;
  pendingCount: number;
  /** Oldest first, at most DOMAIN_LIMITS.recentOutcomes. */
  recent: RecentOutcome[];
}
