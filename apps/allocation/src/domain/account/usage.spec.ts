import { DeciderSpecification } from '@plafond/ledger';
import { accountDecider } from './account.decide';
import type { AccountEvent, RecordUsageData } from './account.types';
import { NOW, command, ev, later, terms } from '../testing/fixtures';

const given = DeciderSpecification.for(accountDecider);
const funded = [ev.opened(), ev.allocated(1_000n)];
const usage = (usageId: string, amount: bigint, extra: Partial<RecordUsageData> = {}, now = NOW) =>
  command(
    'RecordUsage',
    { usageId, amount, useCase: 'chat', usefulnessClass: 'standard', ...extra },
    now,
  );

describe('RecordUsage without a reservation', () => {
  it('debits directly within the allocation', () => {
    given(funded).when(usage('u1', 100n)).then(ev.debited('u1', 100n));
  });

  it('announces each threshold once, when committed usage reaches it', () => {
    given(funded)
      .when(usage('u1', 800n))
      .then([
        ev.debited('u1', 800n),
        ev.threshold(5_000, 800n, 1_000n),
        ev.threshold(8_000, 800n, 1_000n),
      ]);
    given([
      ...funded,
      ev.debited('u1', 800n),
      ev.threshold(5_000, 800n, 1_000n),
      ev.threshold(8_000, 800n, 1_000n),
    ])
      .when(usage('u2', 10n))
      .then(ev.debited('u2', 10n));
  });

  it('records usage beyond the allocation as an overrun and blocks a hard budget', () => {
    given([...funded, ev.reserved('r1', 300n, 700n)])
      .when(usage('u1', 800n))
      .then([
        ev.debited('u1', 800n, { overrun: 100n }),
        ev.overrun('u1', 100n, 100n, 1_000n, 800n),
        ev.blocked(),
        ev.threshold(5_000, 800n, 1_000n),
        ev.threshold(8_000, 800n, 1_000n),
      ]);
  });

  it('records the overrun of a soft budget without blocking the unit', () => {
    given([ev.opened({ mode: 'soft', thresholdsBasisPoints: [] }), ev.allocated(100n)])
      .when(usage('u1', 150n))
      .then([ev.debited('u1', 150n, { overrun: 50n }), ev.overrun('u1', 50n, 50n, 100n, 150n)]);
  });

  it('opens the account of a unit without allocation and records the whole usage as overrun', () => {
    const opened = ev.opened({ thresholdsBasisPoints: [] });
    given([])
      .when(usage('u1', 5n, { terms: terms({ thresholdsBasisPoints: [] }), usefulnessClass: null }))
      .then([
        opened,
        ev.debited('u1', 5n, { overrun: 5n, className: null }),
        ev.overrun('u1', 5n, 5n, 0n, 5n),
        ev.blocked(),
      ]);
    given([]).when(usage('u1', 5n)).thenThrows('ACCOUNT.NOT_FOUND');
  });
});

describe('RecordUsage with a reservation', () => {
  const reserved = [...funded, ev.reserved('r1', 400n, 600n)];

  it('commits the pending reservation with the usage, releasing the rest', () => {
    given(reserved)
      .when(usage('u1', 300n, { reservationId: 'r1' }))
      .then(ev.committed('r1', 400n, 300n, 'u1'));
  });

  it('commits the whole reservation and debits the excess directly', () => {
    given(reserved)
      .when(usage('u1', 600n, { reservationId: 'r1' }))
      .then([
        ev.committed('r1', 400n, 400n, 'u1'),
        ev.debited('u1', 200n, { reservationId: 'r1', flag: 'exceeded_reservation' }),
        ev.threshold(5_000, 600n, 1_000n),
      ]);
  });

  it('expires a reservation past its deadline and debits the usage directly, flagged', () => {
    given(reserved)
      .when(usage('u1', 100n, { reservationId: 'r1' }, later(60_000)))
      .then([
        ev.expired('r1', 400n),
        ev.debited('u1', 100n, { reservationId: 'r1', flag: 'reservation_expired' }),
      ]);
  });

  it('debits directly, flagged, when the reservation is already finalised or unknown', () => {
    const cases: [
      AccountEvent,
      'reservation_released' | 'reservation_expired' | 'reservation_committed',
    ][] = [
      [ev.released('r1', 400n), 'reservation_released'],
      [ev.expired('r1', 400n), 'reservation_expired'],
      [ev.committed('r1', 400n, 100n), 'reservation_committed'],
    ];
    for (const [outcome, flag] of cases)
      given([...reserved, outcome])
        .when(usage('u1', 10n, { reservationId: 'r1' }))
        .then(ev.debited('u1', 10n, { reservationId: 'r1', flag }));
    given(funded)
      .when(usage('u1', 10n, { reservationId: 'ghost' }))
      .then(ev.debited('u1', 10n, { reservationId: 'ghost', flag: 'reservation_unknown' }));
  });

  it('refuses a malformed usage', () => {
    given(funded).when(usage('', 1n)).thenThrows('COMMAND.INVALID');
    given(funded).when(usage('u1', -1n)).thenThrows('COMMAND.INVALID');
  });
});
