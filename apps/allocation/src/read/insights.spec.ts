// The pure parts of the burn-down and scarcity views: day boundaries in a time zone, the integer
// projection, the dating of consumption, and which units count as blocked or shed.
import type { RecordedEvent } from '@plafond/ledger';
import {
  DEFAULT_USEFULNESS_CLASSES,
  evolveCatalog,
  initialAccountState,
  initialCatalogState,
  resolvePeriod,
  type AccountEvent,
  type AccountState,
} from '../domain';
import { consumedAt, dayBoundaries, projectionOf } from './burn-down.queries';
import { blockedReason, heldQuota, shedClasses } from './refusals.queries';

const iso = (ms: number) => new Date(ms).toISOString();

describe('burn-down day boundaries', () => {
  it('ends each UTC day of the period up to the cutoff, then the cutoff itself', () => {
    const period = resolvePeriod({ kind: 'month', month: '2026-03' });
    const cutoff = Date.parse('2026-03-04T12:00:00Z');
    expect(dayBoundaries(period, cutoff).map(iso)).toEqual([
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
      '2026-03-04T12:00:00.000Z',
    ]);
    // A cutoff on a midnight is not repeated; before the start there is nothing.
    expect(dayBoundaries(period, Date.parse('2026-03-03T00:00:00Z')).map(iso)).toEqual([
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
    expect(dayBoundaries(period, Date.parse('2026-03-01T00:00:00Z'))).toEqual([]);
    // The whole month: 31 days, the last ending at the period's end.
    const whole = dayBoundaries(period, Date.parse(period.endsAt));
    expect(whole).toHaveLength(31);
    expect(iso(whole.at(-1) as number)).toBe(period.endsAt);
  });

  it('follows local midnights across a daylight-saving change', () => {
    const period = resolvePeriod(
      { kind: 'range', startsOn: '2026-03-28', endsOn: '2026-04-01' },
      'Europe/Paris',
    );
    expect(period.startsAt).toBe('2026-03-27T23:00:00.000Z');
    expect(dayBoundaries(period, Date.parse(period.endsAt)).map(iso)).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z', // 23 h: clocks go forward on 29 March
      '2026-03-30T22:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
    ]);
  });
});

describe('burn-down projection (integer arithmetic)', () => {
  const start = Date.parse('2026-03-01T00:00:00Z');
  const end = Date.parse('2026-04-01T00:00:00Z');

  it('extrapolates the average rate since the start, rounding down', () => {
    const now = Date.parse('2026-03-04T12:00:00Z'); // 3.5 days in
    expect(projectionOf(130_000n, 800_000n, start, end, now)).toEqual({
      committed: '130000',
      ratePerDay: '37142', // 130 000 / 3.5 = 37 142.86
      projectedAtEnd: '1151428', // 130 000 × 31 / 3.5 = 1 151 428.57
      // ceil(800 000 × 302 400 000 / 130 000) ms = 21 d 12:55:23.077 after the start
      exhaustsAt: '2026-03-22T12:55:23.077Z',
    });
  });

  it('gives no exhaustion when the projection stays below the allocation or nothing is used', () => {
    const now = Date.parse('2026-03-16T12:00:00Z'); // half-way
    expect(projectionOf(100n, 1_000n, start, end, now)).toMatchObject({
      projectedAtEnd: '200',
      exhaustsAt: null,
    });
    expect(projectionOf(0n, 1_000n, start, end, now)).toMatchObject({
      ratePerDay: '0',
      projectedAtEnd: '0',
      exhaustsAt: null,
    });
  });

  it('stops at the period end and before its start', () => {
    const after = Date.parse('2026-05-01T00:00:00Z');
    expect(projectionOf(3_100n, 10_000n, start, end, after)).toEqual({
      committed: '3100',
      ratePerDay: '100',
      projectedAtEnd: '3100',
      exhaustsAt: null,
    });
    expect(projectionOf(0n, 10n, start, end, start - 1)).toEqual({
      committed: '0',
      ratePerDay: '0',
      projectedAtEnd: '0',
      exhaustsAt: null,
    });
  });
});

describe('dating consumption', () => {
  const recorded = (event: AccountEvent, occurredAt?: string) =>
    ({
      ...event,
      metadata: occurredAt === undefined ? {} : { occurredAt },
      recordedAt: new Date('2026-03-09T00:00:00Z'),
    }) as RecordedEvent<AccountEvent>;
  const ref = { budgetId: 'b', unitId: 'u' };

  it('dates a debited usage by its own occurredAt, other events by the command or the ledger', () => {
    const debited: AccountEvent = {
      type: 'UsageDebited',
      data: {
        ...ref,
        usageId: 'u1',
        amount: '5',
        overrunAmount: '0',
        useCase: 'chat',
        usefulnessClass: 'standard',
        reservationId: null,
        flag: null,
        occurredAt: '2026-03-02T08:00:00Z',
      },
    };
    expect(iso(consumedAt(recorded(debited, '2026-03-03T09:00:00Z')))).toBe(
      '2026-03-02T08:00:00.000Z',
    );
    const committed: AccountEvent = {
      type: 'ReservationCommitted',
      data: {
        ...ref,
        reservationId: 'r',
        reservedAmount: '5',
        committedAmount: '5',
        releasedAmount: '0',
        usefulnessClass: 'standard',
        usageId: null,
      },
    };
    expect(iso(consumedAt(recorded(committed, '2026-03-03T09:00:00Z')))).toBe(
      '2026-03-03T09:00:00.000Z',
    );
    expect(iso(consumedAt(recorded(committed)))).toBe('2026-03-09T00:00:00.000Z');
  });
});

describe('blocked units and shed classes', () => {
  const open = (figures: Partial<AccountState>): AccountState => ({
    ...initialAccountState(),
    status: 'open',
    periodEndsAtMs: Date.parse('2026-04-01T00:00:00Z'),
    ...figures,
  });
  const now = Date.parse('2026-03-10T00:00:00Z');
  const catalog = DEFAULT_USEFULNESS_CLASSES.map((data) => ({
    type: 'UsefulnessClassDefined' as const,
    data,
  })).reduce(evolveCatalog, initialCatalogState());

  it('names the code any reservation would get, in the order the account checks them', () => {
    expect(blockedReason(open({ allocated: 10n }), true, now)).toBe('BUDGET.PERIOD_CLOSED');
    expect(blockedReason(open({ allocated: 10n }), false, Date.parse('2026-04-01T00:00:00Z'))).toBe(
      'BUDGET.PERIOD_CLOSED',
    );
    expect(
      blockedReason(
        open({ allocated: 10n, committed: 12n, overrun: 2n, blocked: true }),
        false,
        now,
      ),
    ).toBe('QUOTA.UNIT_BLOCKED');
    expect(blockedReason(open({ allocated: 10n, committed: 10n }), false, now)).toBe(
      'QUOTA.EXCEEDED',
    );
    // Some left: not blocked. Accounts that never held quota are left out before this question.
    expect(heldQuota(open({}))).toBe(false);
    expect(heldQuota(open({ committed: 1n, overrun: 1n }))).toBe(true);
    expect(blockedReason(open({ allocated: 10n, committed: 9n }), false, now)).toBeNull();
  });

  it('lists the classes whose rule refuses even one unit at the current utilisation', () => {
    // discretionary is shed above 80 % utilisation (the default rule).
    expect(shedClasses(open({ allocated: 100n, committed: 79n }), catalog)).toEqual([]);
    expect(shedClasses(open({ allocated: 100n, committed: 60n, reserved: 20n }), catalog)).toEqual([
      { className: 'discretionary', reason: 'USECASE.SHED_ABOVE_UTILISATION' },
    ]);
  });
});
