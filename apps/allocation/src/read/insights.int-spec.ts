// Burn-down and scarcity on real PostgreSQL, through the application services with a clock moved
// by hand: reservations committed and usage debited on known days give the exact cumulative points,
// per-child series and projection worked out by hand; refused reservations are counted by reason,
// class, bucket and unit once flushed, write nothing to the ledger, and the buffer survives a
// database failure within its bound.
import { PostgresEventStore, pgPoolSource } from '@plafond/ledger';
import { waitFor } from '@plafond/testing';
import { refusalTableStatements, ReservationRefusals } from '../application/refusal-recorder';
import { ReservationService } from '../application/reservation.service';
import {
  ADMIN,
  createApplicationTestKit,
  rejectionOf,
  SERVICE,
  seedOrganisation,
  SCHEMA,
  usage,
  type ApplicationTestKit,
} from '../application/testing/application-test-kit';
import { BalanceQueries } from './balance.queries';
import { BurnDownQueries } from './burn-down.queries';
import { RefusalQueries } from './refusals.queries';

jest.setTimeout(120_000);

const BUDGET = 'energy-2026-03';
const at = (instant: string) => new Date(instant);

const staticSplit = (members: Record<string, bigint>) => ({
  rule: {
    kind: 'static',
    members: Object.entries(members).map(([childId, amount]) => ({
      childId,
      amount: amount.toString(),
    })),
  },
});

describe('burn-down and refusals (application services, real PostgreSQL)', () => {
  let kit: ApplicationTestKit;
  let refusals: ReservationRefusals;
  let reservations: ReservationService;
  let burnDowns: BurnDownQueries;
  let refusalQueries: RefusalQueries;

  const debit = (messageId: string, unitId: string, amount: bigint, occurredAt: string) =>
    kit.app.store.transaction((tx) =>
      kit.app.usage.apply(tx, usage({ unitId, energyMicroWh: amount, occurredAt }), {
        messageId,
        actor: 'kafka:usage.recorded',
      }),
    );
  const reserve = (reservationId: string, unitId: string, amount: bigint, useCase = 'chat') =>
    reservations.reserve(SERVICE, { reservationId, unitId, amount, useCase, timeoutMs: 600_000 });
  const eventCount = async () =>
    Number(
      (await kit.app.pool.query<{ count: string }>(`SELECT count(*) FROM ${SCHEMA}.events`)).rows[0]
        ?.count,
    );

  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_insights');
    const { app } = kit;
    for (const statement of refusalTableStatements(SCHEMA)) await app.pool.query(statement);
    refusals = new ReservationRefusals(app.store, undefined, undefined, { autoStart: false });
    reservations = new ReservationService(
      app.store,
      app.clock.read,
      { runExpirer: false },
      refusals,
    );
    burnDowns = new BurnDownQueries(app.store);
    refusalQueries = new RefusalQueries(app.store);

    app.clock.set(at('2026-02-20T00:00:00Z'));
    await seedOrganisation(app);
    await app.catalog.registerUseCase(ADMIN, {
      useCase: 'chat',
      className: 'standard',
      description: 'Chat',
    });
    await app.catalog.registerUseCase(ADMIN, {
      useCase: 'batch',
      className: 'discretionary',
      description: 'Batch summaries',
    });
    await app.budgets.open(ADMIN, {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 1_000_000n,
    });
    await app.budgets.allocate(ADMIN, BUDGET, {
      allocationId: 'round-1',
      amount: 800_000n,
      policies: {
        acme: staticSplit({ 'bu-a': 500_000n, 'bu-b': 300_000n }),
        'bu-a': staticSplit({ 'team-a1': 400_000n, 'team-a2': 100_000n }),
      },
    });
    // 1 March: team-a1 reserves 100 000 and commits 60 000.
    app.clock.set(at('2026-03-01T12:00:00Z'));
    await reserve('r-1', 'team-a1', 100_000n);
    app.clock.set(at('2026-03-01T12:05:00Z'));
    await reservations.commit(SERVICE, 'r-1', 60_000n);
    // Usage of 2 March reported on 3 March: counts on the 2nd.
    app.clock.set(at('2026-03-03T09:00:00Z'));
    await debit('u-1', 'team-a2', 20_000n, '2026-03-02T08:00:00.000Z');
    // The last millisecond of 3 March; and a reservation released (no consumption).
    await debit('u-2', 'bu-b', 50_000n, '2026-03-03T23:59:59.999Z');
    await reserve('r-2', 'bu-b', 10_000n);
    await reservations.release(SERVICE, 'r-2');
  });

  afterAll(async () => {
    await reservations?.idle();
    await kit?.close();
  });

  it('gives the cumulative consumption per local day, per child, and the projection', async () => {
    const now = at('2026-03-04T12:00:00Z');
    const report = await burnDowns.burnDown(BUDGET, { now });
    expect(report).toEqual({
      budgetId: BUDGET,
      dimension: 'energy',
      unitId: 'acme',
      period: {
        startsAt: '2026-03-01T00:00:00.000Z',
        endsAt: '2026-04-01T00:00:00.000Z',
        timeZone: 'UTC',
      },
      asOf: '2026-03-04T12:00:00.000Z',
      bucket: 'day',
      ceiling: '1000000',
      allocated: '800000',
      points: [
        { at: '2026-03-02T00:00:00.000Z', committed: '60000' },
        { at: '2026-03-03T00:00:00.000Z', committed: '80000' },
        { at: '2026-03-04T00:00:00.000Z', committed: '130000' },
        { at: '2026-03-04T12:00:00.000Z', committed: '130000' },
      ],
      units: [
        { unitId: 'bu-a', allocated: '500000', committed: ['60000', '80000', '80000', '80000'] },
        { unitId: 'bu-b', allocated: '300000', committed: ['0', '0', '50000', '50000'] },
      ],
      projection: {
        committed: '130000',
        ratePerDay: '37142',
        projectedAtEnd: '1151428',
        exhaustsAt: '2026-03-22T12:55:23.077Z',
      },
    });
  });

  it('narrows to a unit’s subtree and refuses unknown budgets and units', async () => {
    const now = at('2026-03-04T12:00:00Z');
    const report = await burnDowns.burnDown(BUDGET, { unitId: 'bu-a', now });
    expect(report).toMatchObject({
      unitId: 'bu-a',
      allocated: '500000',
      units: [
        { unitId: 'team-a1', allocated: '400000', committed: ['60000', '60000', '60000', '60000'] },
        { unitId: 'team-a2', allocated: '100000', committed: ['0', '20000', '20000', '20000'] },
      ],
      // 80 000 in 3.5 days: 22 857/day, 708 571 by the end; 500 000 reached after
      // ceil(500 000 × 302 400 000 / 80 000) ms = 21 d 21:00:00.
      projection: {
        committed: '80000',
        ratePerDay: '22857',
        projectedAtEnd: '708571',
        exhaustsAt: '2026-03-22T21:00:00.000Z',
      },
    });
    expect(await rejectionOf(burnDowns.burnDown('nope', { now }))).toMatchObject({
      code: 'BUDGET.NOT_FOUND',
    });
    expect(await rejectionOf(burnDowns.burnDown(BUDGET, { unitId: 'ghost', now }))).toMatchObject({
      code: 'UNIT.NOT_FOUND',
    });
    await kit.app.organisation.createUnit(ADMIN, { unitId: 'outsider', parentId: null, name: 'O' });
    expect(
      await rejectionOf(burnDowns.burnDown(BUDGET, { unitId: 'outsider', now })),
    ).toMatchObject({ code: 'UNIT.NOT_IN_BUDGET' });
  });

  it('has no points before the period starts', async () => {
    const report = await burnDowns.burnDown(BUDGET, { now: at('2026-02-25T00:00:00Z') });
    expect(report.points).toEqual([]);
    expect(report.units.map((unit) => unit.committed)).toEqual([[], []]);
    expect(report.projection).toMatchObject({ ratePerDay: '0', exhaustsAt: null });
  });

  it('counts refused reservations by reason, class, bucket and unit once flushed', async () => {
    const { app } = kit;
    const before = await eventCount();
    app.clock.set(at('2026-03-04T12:00:10Z'));
    expect(await rejectionOf(reserve('q-1', 'team-a2', 1_000_000n))).toMatchObject({
      code: 'QUOTA.EXCEEDED',
    });
    app.clock.set(at('2026-03-04T12:00:40Z'));
    expect(await rejectionOf(reserve('q-2', 'team-a2', 1_000_000n))).toMatchObject({
      code: 'QUOTA.EXCEEDED',
    });
    // 20 000 used of 100 000: 70 000 more would pass the discretionary class's 80 % level.
    app.clock.set(at('2026-03-04T13:05:00Z'));
    expect(await rejectionOf(reserve('s-1', 'team-a2', 70_000n, 'batch'))).toMatchObject({
      code: 'USECASE.SHED_ABOVE_UTILISATION',
    });
    // Refusals write nothing to the ledger; a granted reservation is not counted.
    expect(await eventCount()).toBe(before);
    app.clock.set(at('2026-03-04T13:06:00Z'));
    await reserve('g-1', 'team-a1', 1_000n);
    await reservations.release(SERVICE, 'g-1');
    // Nothing is in the table until the flush.
    expect(
      (await refusalQueries.refusals(BUDGET, { now: at('2026-03-04T14:00:00Z') })).totals.count,
    ).toBe(0);
    expect(refusals.status()).toMatchObject({ pendingKeys: 2, dropped: 0 });
    expect(await refusals.flush()).toBe(2);

    const report = await refusalQueries.refusals(BUDGET, { now: at('2026-03-04T14:00:00Z') });
    expect(report).toMatchObject({
      budgetId: BUDGET,
      bucket: 'day',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-04T14:00:00.000Z',
      unitId: null,
      totals: {
        count: 3,
        requested: '2070000',
        byReason: { 'QUOTA.EXCEEDED': 2, 'USECASE.SHED_ABOVE_UTILISATION': 1 },
        byClass: { standard: 2, discretionary: 1 },
      },
      series: [
        {
          at: '2026-03-04T00:00:00.000Z',
          reason: 'QUOTA.EXCEEDED',
          usefulnessClass: 'standard',
          count: 2,
          requested: '2000000',
        },
        {
          at: '2026-03-04T00:00:00.000Z',
          reason: 'USECASE.SHED_ABOVE_UTILISATION',
          usefulnessClass: 'discretionary',
          count: 1,
          requested: '70000',
        },
      ],
      units: [
        {
          unitId: 'team-a2',
          count: 3,
          lastRefusedAt: '2026-03-04T13:05:00.000Z',
          lastReason: 'USECASE.SHED_ABOVE_UTILISATION',
        },
      ],
      blocked: [],
      shed: [],
    });
    // A window of at most 48 h is bucketed by hour.
    const hourly = await refusalQueries.refusals(BUDGET, {
      from: at('2026-03-04T12:00:00Z'),
      to: at('2026-03-04T14:00:00Z'),
      now: at('2026-03-04T14:00:00Z'),
    });
    expect(hourly.bucket).toBe('hour');
    expect(hourly.series.map((item) => [item.at, item.reason, item.count])).toEqual([
      ['2026-03-04T12:00:00.000Z', 'QUOTA.EXCEEDED', 2],
      ['2026-03-04T13:00:00.000Z', 'USECASE.SHED_ABOVE_UTILISATION', 1],
    ]);
    // The same id refused again counts again (nothing was recorded for it); the flush adds up.
    app.clock.set(at('2026-03-04T12:00:50Z'));
    await rejectionOf(reserve('q-1', 'team-a2', 1_000_000n));
    expect(await refusals.flush()).toBe(1);
    const again = await refusalQueries.refusals(BUDGET, {
      from: at('2026-03-04T12:00:00Z'),
      to: at('2026-03-04T12:01:00Z'),
      now: at('2026-03-04T14:00:00Z'),
    });
    expect(again.series).toEqual([
      {
        at: '2026-03-04T12:00:00.000Z',
        reason: 'QUOTA.EXCEEDED',
        usefulnessClass: 'standard',
        count: 3,
        requested: '3000000',
      },
    ]);
    // The minute is the unit of the window: 12:01 onwards holds none of them.
    const later = await refusalQueries.refusals(BUDGET, {
      from: at('2026-03-04T12:01:00Z'),
      to: at('2026-03-04T13:00:00Z'),
      now: at('2026-03-04T14:00:00Z'),
    });
    expect(later.totals.count).toBe(0);
  });

  it('lists units that cannot reserve and classes shed, and filters by subtree', async () => {
    const { app } = kit;
    // bu-b overruns its 300 000 (hard budget): blocked; a reserve then is refused and counted.
    app.clock.set(at('2026-03-04T13:10:00Z'));
    await debit('u-3', 'bu-b', 260_000n, '2026-03-04T13:10:00.000Z');
    app.clock.set(at('2026-03-04T13:20:00Z'));
    expect(await rejectionOf(reserve('b-1', 'bu-b', 1n))).toMatchObject({
      code: 'QUOTA.UNIT_BLOCKED',
    });
    // team-a2 at 85 % of its allocation: discretionary is shed there, standard still passes.
    await reserve('p-1', 'team-a2', 65_000n);
    await refusals.flush();
    const now = at('2026-03-04T14:00:00Z');
    const report = await refusalQueries.refusals(BUDGET, { now });
    expect(report.blocked).toEqual([
      { unitId: 'bu-b', reason: 'QUOTA.UNIT_BLOCKED', available: '0' },
    ]);
    expect(report.shed).toEqual([
      {
        unitId: 'team-a2',
        className: 'discretionary',
        reason: 'USECASE.SHED_ABOVE_UTILISATION',
        available: '15000',
      },
    ]);
    expect(report.totals.byReason).toEqual({
      'QUOTA.EXCEEDED': 3,
      'USECASE.SHED_ABOVE_UTILISATION': 1,
      'QUOTA.UNIT_BLOCKED': 1,
    });
    const subtree = await refusalQueries.refusals(BUDGET, { unitId: 'bu-a', now });
    expect(subtree).toMatchObject({ unitId: 'bu-a', blocked: [], totals: { count: 4 } });
    expect(subtree.units.map((unit) => unit.unitId)).toEqual(['team-a2']);
    expect(subtree.shed.map((item) => item.unitId)).toEqual(['team-a2']);
    // Once the period is over every unit with quota is closed to reservations.
    const after = await refusalQueries.refusals(BUDGET, {
      from: at('2026-03-01T00:00:00Z'),
      to: at('2026-04-01T00:00:00Z'),
      now: at('2026-04-01T00:00:00Z'),
    });
    expect(new Set(after.blocked.map((item) => item.reason))).toEqual(
      new Set(['BUDGET.PERIOD_CLOSED']),
    );
  });

  it('ends every series on what the balances report as the subtree’s committed', async () => {
    // By now: an overrun (bu-b), a pending reservation (team-a2), late usage, a release.
    const balances = new BalanceQueries(kit.app.store);
    const now = at('2026-03-04T14:00:00Z');
    const committedOf = async (unitId: string) =>
      (await balances.unitBalance(BUDGET, unitId, { rollUp: true })).subtree?.committed;
    for (const unitId of ['acme', 'bu-a', 'bu-b', 'team-a1', 'team-a2']) {
      const report = await burnDowns.burnDown(BUDGET, { unitId, now });
      const expected = await committedOf(unitId);
      expect({ unitId, last: report.points.at(-1)?.committed }).toEqual({
        unitId,
        last: expected,
      });
      expect(report.projection.committed).toBe(expected);
      for (const child of report.units)
        expect({ unitId: child.unitId, last: child.committed.at(-1) }).toEqual({
          unitId: child.unitId,
          last: await committedOf(child.unitId),
        });
    }
    expect(await committedOf('acme')).toBe('390000');
  });

  it('refuses bad windows and unknown budgets or units', async () => {
    const now = at('2026-03-04T14:00:00Z');
    expect(
      await rejectionOf(refusalQueries.refusals(BUDGET, { from: now, to: now, now })),
    ).toMatchObject({ code: 'COMMAND.INVALID', details: { field: 'from' } });
    expect(
      await rejectionOf(
        refusalQueries.refusals(BUDGET, {
          from: at('2026-01-01T00:00:00Z'),
          to: at('2026-12-31T00:00:00Z'),
          bucket: 'hour',
          now,
        }),
      ),
    ).toMatchObject({ code: 'COMMAND.INVALID', details: { field: 'to' } });
    // Before the period: the defaults cover the whole period (not a 400 on the defaults).
    const early = await refusalQueries.refusals(BUDGET, { now: at('2026-02-25T00:00:00Z') });
    expect(early).toMatchObject({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      bucket: 'day',
    });
    const whole = await refusalQueries.refusals(BUDGET, {
      from: at('2026-03-01T00:00:00Z'),
      to: at('2026-04-01T00:00:00Z'),
      now,
    });
    expect(early.totals).toEqual(whole.totals);
    expect(await rejectionOf(refusalQueries.refusals('nope', { now }))).toMatchObject({
      code: 'BUDGET.NOT_FOUND',
    });
    expect(
      await rejectionOf(refusalQueries.refusals(BUDGET, { unitId: 'ghost', now })),
    ).toMatchObject({ code: 'UNIT.NOT_FOUND' });
  });

  it('keeps what it could not write and bounds the buffer while the database refuses', async () => {
    const { app } = kit;
    // A recorder on a schema without the table: every flush fails, as with the database away.
    const broken = new ReservationRefusals(
      new PostgresEventStore({ schema: 'nowhere', connection: pgPoolSource(app.pool) }),
      undefined,
      undefined,
      { autoStart: false, maxKeys: 2 },
    );
    const refusal = (unitId: string, second: number) => ({
      budgetId: BUDGET,
      unitId,
      reason: 'QUOTA.EXCEEDED',
      usefulnessClass: 'standard',
      requested: 5n,
      at: new Date(Date.UTC(2026, 2, 4, 12, 0, second)),
    });
    broken.record(refusal('team-a1', 1));
    broken.record(refusal('team-a1', 2)); // same key: counted in place
    broken.record(refusal('team-a2', 3));
    broken.record(refusal('bu-b', 4)); // a third key: dropped
    await expect(broken.flush()).rejects.toThrow();
    expect(broken.status()).toMatchObject({ pendingKeys: 2, dropped: 1, lastFlushAt: null });
    expect(broken.status().lastError).toEqual(expect.any(String));
    // Failed flushes lose nothing already buffered.
    await expect(broken.flush()).rejects.toThrow();
    expect(broken.status()).toMatchObject({ pendingKeys: 2, dropped: 1 });
  });

  it('flushes on its interval', async () => {
    const { app } = kit;
    const looping = new ReservationRefusals(app.store, undefined, undefined, {
      flushIntervalMs: 50,
    });
    looping.onApplicationBootstrap();
    try {
      looping.record({
        budgetId: BUDGET,
        unitId: 'team-a1',
        reason: 'RESERVATION.TOO_MANY_PENDING',
        usefulnessClass: 'standard',
        requested: 7n,
        at: at('2026-03-05T00:00:00Z'),
      });
      const found = await waitFor(
        async () => {
          const { rows } = await app.pool.query<{ count: string }>(
            `SELECT count FROM ${SCHEMA}.reservation_refusals WHERE reason = 'RESERVATION.TOO_MANY_PENDING'`,
          );
          return rows[0] === undefined ? undefined : Number(rows[0].count);
        },
        { timeoutMs: 10_000, intervalMs: 25, description: 'the refusal flushed by the loop' },
      );
      expect(found).toBe(1);
      expect(looping.status()).toMatchObject({ pendingKeys: 0, dropped: 0 });
    } finally {
      await looping.onModuleDestroy();
    }
  });
});
