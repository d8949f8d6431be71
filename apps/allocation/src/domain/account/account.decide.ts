import type { Decider } from '@plafond/ledger';
import { unreachable } from '../shared/command';
import { requireNow } from '../shared/values';
import { evolveAccount, initialAccountState } from './account.evolve';
import { assertAccountConsistent } from './account.invariants';
import type { AccountCommand, AccountEvent, AccountState } from './account.types';
import { allocate, close, reclaim, transferIn, transferOut } from './quota';
import { commit, expire, release, reserve } from './reservations';
import { recordUsage } from './usage';

function decide(command: AccountCommand, state: AccountState, now: Date): AccountEvent[] {
  switch (command.type) {
    case 'AllocateQuota':
      return allocate(state, command.data, now);
    case 'ReserveQuota':
      return reserve(state, command.data, now);
    case 'CommitReservation':
      return commit(state, command.data, now);
    case 'ReleaseReservation':
      return release(state, command.data);
    case 'ExpireReservation':
      return expire(state, command.data, now);
    case 'RecordUsage':
      return recordUsage(state, command.data, now);
    case 'TransferQuotaOut':
      return transferOut(state, command.data, now);
    case 'TransferQuotaIn':
      return transferIn(state, command.data, now);
    case 'ReclaimQuota':
      return reclaim(state, command.data);
    case 'CloseAccount':
      return close(state);
    default:
      return unreachable(command, 'account command');
  }
}

/**
 * Asserts the loaded state in full (after read), decides, and folds the decided events through
 * evolve, which asserts the invariants again (on write). An empty result is an idempotent retry:
 * read the original outcome with `reservationStatus`.
 */
export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  const now = requireNow(command.metadata.now);
  assertAccountConsistent(state);
  const events = decide(command, state, now);
  assertAccountConsistent(events.reduce(evolveAccount, state));
  return events;
}

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
