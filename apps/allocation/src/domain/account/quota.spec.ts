import { DeciderSpecification } from '@plafond/ledger';
import { accountDecider } from './account.decide';
import type { AccountEvent } from './account.types';
import { NOW, command, ev, ref, terms } from '../testing/fixtures';

const given = DeciderSpecification.for(accountDecider);
const funded = [ev.opened(), ev.allocated(1_000n)];
const overran = [
  ...funded,
  ev.debited('u1', 1_200n, { overrun: 200n }),
  ev.overrun('u1', 200n, 200n, 1_000n, 1_200n),
  ev.blocked(),
];
const transfer = { reason: 'rebalance', actor: 'alice' };
const allocate = (allocationId: string, amount: bigint) =>
  command('AllocateQuota', { allocationId, amount, terms: terms() });
const transferOut = (amount: bigint) =>
  command('TransferQuotaOut', { transferId: 't1', toUnitId: 'team-b', amount, ...transfer });
const transferIn = (amount: bigint) =>
  command('TransferQuotaIn', { transferId: 't1', fromUnitId: 'team-b', amount, ...transfer });
const closed: AccountEvent = {
  type: 'AccountClosed',
  data: { ...ref, allocated: '1000', committed: '0', overrun: '0' },
};

describe('AllocateQuota', () => {
  it('opens the account on the first round and adds each round once', () => {
    given([])
      .when(allocate('round-1', 1_000n))
      .then([ev.opened(), ev.allocated(1_000n)]);
    given(funded).when(allocate('round-1', 1_000n)).thenNothingHappened();
    given(funded)
      .when(allocate('round-2', 500n))
      .then(ev.allocated(500n, 1_500n, 'round-2'));
  });

  it('unblocks a unit once quota is available again', () => {
    given(overran)
      .when(allocate('round-2', 50n))
      .then([ev.allocated(50n, 1_050n, 'round-2'), ev.unblocked('quota_allocated')]);
  });
});

describe('TransferQuotaOut and TransferQuotaIn', () => {
  it('moves only unused quota out: TRANSFER.INSUFFICIENT_UNUSED', () => {
    const busy = [...funded, ev.reserved('r1', 400n, 600n), ev.debited('u1', 100n)];
    given(busy).when(transferOut(500n)).then(ev.transferredOut('t1', 500n));
    given(busy).when(transferOut(501n)).thenThrows('TRANSFER.INSUFFICIENT_UNUSED');
  });

  it('takes quota in and lifts an overrun block only when something is available', () => {
    given(overran)
      .when(transferIn(100n))
      .then([ev.transferredIn('t1', 100n), ev.unblocked()]);
    const reserved = [
      ...funded,
      ev.reserved('r1', 1_000n, 0n),
      ev.debited('u1', 50n, { overrun: 50n }),
      ev.overrun('u1', 50n, 50n, 1_000n, 50n),
      ev.blocked(),
    ];
    given(reserved)
      .when(command('ReleaseReservation', { reservationId: 'r1' }))
      .then(ev.released('r1', 1_000n));
    given(funded).when(transferIn(100n)).then(ev.transferredIn('t1', 100n));
  });

  it('refuses transfers on a closed account: BUDGET.PERIOD_CLOSED', () => {
    given([...funded, closed])
      .when(transferIn(1n))
      .thenThrows('BUDGET.PERIOD_CLOSED');
    given([...funded, closed])
      .when(transferOut(1n))
      .thenThrows('BUDGET.PERIOD_CLOSED');
  });
});

describe('ReclaimQuota', () => {
  it('takes back unused quota only', () => {
    const reclaimed: AccountEvent = {
      type: 'QuotaReclaimed',
      data: { ...ref, reclaimId: 'c1', amount: '600' },
    };
    const busy = [...funded, ev.reserved('r1', 400n, 600n)];
    given(busy)
      .when(command('ReclaimQuota', { reclaimId: 'c1', amount: 600n }))
      .then(reclaimed);
    given(busy)
      .when(command('ReclaimQuota', { reclaimId: 'c1', amount: 601n }))
      .thenThrows('TRANSFER.INSUFFICIENT_UNUSED');
  });
});

describe('CloseAccount', () => {
  it('releases every pending reservation, in id order, then closes once', () => {
    const busy = [
      ...funded,
      ev.reserved('r2', 100n, 900n),
      ev.reserved('r1', 200n, 700n),
      ev.debited('u1', 50n),
    ];
    const closing: AccountEvent = {
      type: 'AccountClosed',
      data: { ...ref, allocated: '1000', committed: '50', overrun: '0' },
    };
    given(busy)
      .when(command('CloseAccount', {}, NOW))
      .then([
        ev.released('r1', 200n, 'period_closed'),
        ev.released('r2', 100n, 'period_closed'),
        closing,
      ]);
    given([...funded, closed])
      .when(command('CloseAccount', {}))
      .thenNothingHappened();
    given([]).when(command('CloseAccount', {})).thenThrows('ACCOUNT.NOT_FOUND');
  });
});
