import { DeciderSpecification } from '@plafond/ledger';
import { accountDecider } from './account.decide';
import { reservationStatus } from './account.queries';
import { evolveAccount, initialAccountState } from './account.evolve';
import type { AccountEvent, ReserveData } from './account.types';
import { DOMAIN_LIMITS } from '../shared/limits';
import { NOW, allowed, caught, command, ev, later, standard } from '../testing/fixtures';

const given = DeciderSpecification.for(accountDecider);
const funded = [ev.opened(), ev.allocated(1_000n)];

const reserveData = (
  reservationId: string,
  amount: bigint,
  extra: Partial<ReserveData> = {},
): ReserveData => ({
  reservationId,
  amount,
  useCase: 'chat',
  usefulnessClass: standard,
  timeoutMs: 60_000,
  ...extra,
});
const reserve = (id: string, amount: bigint, extra: Partial<ReserveData> = {}, now = NOW) =>
  command('ReserveQuota', reserveData(id, amount, extra), now);
const commit = (reservationId: string, amount: bigint, now = NOW) =>
  command('CommitReservation', { reservationId, amount }, now);
const release = (reservationId: string) => command('ReleaseReservation', { reservationId });
const expire = (reservationId: string, now: Date) =>
  command('ExpireReservation', { reservationId }, now);

const fold = (events: AccountEvent[]) => events.reduce(evolveAccount, initialAccountState());

describe('ReserveQuota', () => {
  it('reserves when enough quota is available', () => {
    given(funded)
      .when(reserve('r1', 400n))
      .then(ev.reserved('r1', 400n, 600n));
  });

  it('returns the original outcome for a retry with the same request, and emits nothing', () => {
    const history = [...funded, ev.reserved('r1', 400n, 600n)];
    given(history)
      .when(reserve('r1', 400n, {}, later(5_000)))
      .thenNothingHappened();
    expect(reservationStatus(fold(history), 'r1')).toMatchObject({
      status: 'pending',
      amount: 400n,
    });
  });

  it('refuses the same id with another request: IDEMPOTENCY.CONFLICT', () => {
    given([...funded, ev.reserved('r1', 400n, 600n)])
      .when(reserve('r1', 401n))
      .thenThrows('IDEMPOTENCY.CONFLICT');
    given([...funded, ev.reserved('r1', 400n, 600n), ev.released('r1', 400n)])
      .when(reserve('r1', 400n, { timeoutMs: 1 }))
      .thenThrows('IDEMPOTENCY.CONFLICT');
  });

  it('answers a retry after the outcome with the outcome', () => {
    const history = [...funded, ev.reserved('r1', 400n, 600n), ev.committed('r1', 400n, 300n)];
    given(history).when(reserve('r1', 400n)).thenNothingHappened();
    expect(reservationStatus(fold(history), 'r1')).toEqual({
      status: 'committed',
      amount: 400n,
      committedAmount: 300n,
    });
  });

  it('refuses more than is available with QUOTA.EXCEEDED and the available amount', () => {
    const error = caught(() =>
      accountDecider.decide(reserve('r2', 700n), fold([...funded, ev.reserved('r1', 400n, 600n)])),
    );
    expect(error.code).toBe('QUOTA.EXCEEDED');
    expect(error.details).toMatchObject({ available: '600', requested: '700', reserved: '400' });
  });

  it('grants exactly what is available', () => {
    given([...funded, ev.reserved('r1', 400n, 600n)])
      .when(reserve('r2', 600n))
      .then(ev.reserved('r2', 600n, 0n));
  });

  it('refuses a blocked unit: QUOTA.UNIT_BLOCKED', () => {
    const overran = [
      ...funded,
      ev.debited('u1', 1_200n, { overrun: 200n }),
      ev.overrun('u1', 200n, 200n, 1_000n, 1_200n),
      ev.blocked(),
    ];
    given(overran).when(reserve('r1', 1n)).thenThrows('QUOTA.UNIT_BLOCKED');
  });

  it('applies the class rule: prohibited, capped share, shed above a utilisation level', () => {
    given(funded)
      .when(
        reserve('r1', 1n, {
          usefulnessClass: { className: 'banned', rule: { kind: 'prohibited' } },
        }),
      )
      .thenThrows('USECASE.PROHIBITED');
    const capped = {
      className: 'discretionary',
      rule: { kind: 'allowed' as const, capShareBasisPoints: 2_000 },
    };
    const history = [...funded, ev.reserved('r1', 150n, 850n, { className: 'discretionary' })];
    given(history)
      .when(reserve('r2', 50n, { usefulnessClass: capped }))
      .then(ev.reserved('r2', 50n, 800n, { className: 'discretionary' }));
    const error = caught(() =>
      accountDecider.decide(reserve('r2', 51n, { usefulnessClass: capped }), fold(history)),
    );
    expect(error.code).toBe('USECASE.CLASS_CAP_EXCEEDED');
    expect(error.details).toMatchObject({
      cap: '200',
      classUsed: '150',
      classAvailable: '50',
      available: '850',
    });
    const shed = {
      className: 'discretionary',
      rule: { kind: 'allowed' as const, shedAboveUtilisationBasisPoints: 8_000 },
    };
    given([...funded, ev.reserved('r1', 700n, 300n)])
      .when(reserve('r2', 101n, { usefulnessClass: shed }))
      .thenThrows('USECASE.SHED_ABOVE_UTILISATION');
    given([...funded, ev.reserved('r1', 700n, 300n)])
      .when(reserve('r2', 101n, { usefulnessClass: { className: 'essential', rule: allowed } }))
      .then(ev.reserved('r2', 101n, 199n, { className: 'essential' }));
  });

  it('refuses after the period has ended and on a closed account: BUDGET.PERIOD_CLOSED', () => {
    given(funded)
      .when(reserve('r1', 1n, {}, new Date('2026-04-01T00:00:00Z')))
      .thenThrows('BUDGET.PERIOD_CLOSED');
    const closed: AccountEvent = {
      type: 'AccountClosed',
      data: {
        budgetId: 'b-2026-03',
        unitId: 'team-a',
        allocated: '1000',
        committed: '0',
        overrun: '0',
      },
    };
    given([...funded, closed])
      .when(reserve('r1', 1n))
      .thenThrows('BUDGET.PERIOD_CLOSED');
  });

  it('answers a retry with the original outcome even once the period has ended', () => {
    const history = [...funded, ev.reserved('r1', 400n, 600n)];
    given(history)
      .when(reserve('r1', 400n, {}, new Date('2026-04-02T00:00:00Z')))
      .thenNothingHappened();
  });

  it('refuses a unit without account, a bad timeout and a zero amount', () => {
    given([]).when(reserve('r1', 1n)).thenThrows('ACCOUNT.NOT_FOUND');
    given(funded)
      .when(reserve('r1', 1n, { timeoutMs: 0 }))
      .thenThrows('COMMAND.INVALID');
    given(funded).when(reserve('r1', 0n)).thenThrows('COMMAND.INVALID');
  });

  it('bounds the pending reservations: RESERVATION.TOO_MANY_PENDING', () => {
    const limit = DOMAIN_LIMITS.pendingReservations;
    const history = [ev.opened(), ev.allocated(10_000n)];
    for (let index = 0; index < limit; index += 1)
      history.push(ev.reserved(`r${index}`, 1n, 10_000n - BigInt(index) - 1n));
    given(history).when(reserve('one-more', 1n)).thenThrows('RESERVATION.TOO_MANY_PENDING');
  });
});

describe('CommitReservation', () => {
  const reserved = [...funded, ev.reserved('r1', 600n, 400n)];

  it('commits the actual amount, releases the rest and announces thresholds reached', () => {
    given(reserved)
      .when(commit('r1', 550n))
      .then([ev.committed('r1', 600n, 550n), ev.threshold(5_000, 550n, 1_000n)]);
  });

  it('is idempotent for the same amount and refuses another outcome', () => {
    const done = [...reserved, ev.committed('r1', 600n, 550n)];
    given(done).when(commit('r1', 550n)).thenNothingHappened();
    given(done).when(commit('r1', 500n)).thenThrows('RESERVATION.ALREADY_FINALISED');
    given(done).when(release('r1')).thenThrows('RESERVATION.ALREADY_FINALISED');
  });

  it('refuses more than reserved, an unknown id and a commit past the deadline', () => {
    given(reserved).when(commit('r1', 601n)).thenThrows('RESERVATION.COMMIT_EXCEEDS_RESERVED');
    given(reserved).when(commit('nope', 1n)).thenThrows('RESERVATION.NOT_FOUND');
    given(reserved)
      .when(commit('r1', 1n, later(60_000)))
      .thenThrows('RESERVATION.EXPIRED');
  });
});

describe('ReleaseReservation and ExpireReservation', () => {
  const reserved = [...funded, ev.reserved('r1', 600n, 400n)];

  it('releases a pending reservation once', () => {
    given(reserved).when(release('r1')).then(ev.released('r1', 600n));
    given([...reserved, ev.released('r1', 600n)])
      .when(release('r1'))
      .thenNothingHappened();
    given(reserved).when(release('nope')).thenThrows('RESERVATION.NOT_FOUND');
  });

  it('expires only at or after the deadline, and only once', () => {
    given(reserved)
      .when(expire('r1', later(59_999)))
      .thenThrows('RESERVATION.NOT_EXPIRED');
    given(reserved)
      .when(expire('r1', later(60_000)))
      .then(ev.expired('r1', 600n));
    const expired = [...reserved, ev.expired('r1', 600n)];
    given(expired)
      .when(expire('r1', later(70_000)))
      .thenNothingHappened();
    given(expired).when(commit('r1', 1n)).thenThrows('RESERVATION.ALREADY_FINALISED');
    given([...reserved, ev.released('r1', 600n)])
      .when(expire('r1', later(60_000)))
      .thenThrows('RESERVATION.ALREADY_FINALISED');
  });
});
