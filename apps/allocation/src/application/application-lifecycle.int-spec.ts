// The whole life of a budget through the application services on real PostgreSQL: units and
// catalog, open, preview, allocate with explanations, transfer, ceiling, reservations, usage,
// overrun and unblock, close — with the ledger's events and the index tables checked as a user
// of the service would see them.
import { Inbox } from '@plafond/ledger';
import { availableOf, budgetStreamId } from '../domain';
import {
  ADMIN,
  createApplicationTestKit,
  HEADCOUNT_POLICIES,
  rejectionOf,
  SERVICE,
  seedOrganisation,
  SCHEMA,
  usage,
  type ApplicationTestKit,
} from './testing/application-test-kit';

jest.setTimeout(120_000);

const BUDGET = 'energy-2026-03';

describe('allocation application services: a budget from opening to close', () => {
  let kit: ApplicationTestKit;
  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_app_lifecycle');
  });
  afterAll(async () => {
    await kit?.close();
  });

  const allocatedOf = async (unitId: string) => (await kit.account(BUDGET, unitId)).allocated;
  const units = ['acme', 'bu-a', 'bu-b', 'team-a1', 'team-a2'];
  const totalAllocated = async () => {
    let total = 0n;
    for (const unitId of units) total += await allocatedOf(unitId);
    return total;
  };

  it('builds the unit tree, refusing cycles, and reads it back as a subtree', async () => {
    const { app } = kit;
    await seedOrganisation(app);
    const renamed = await app.organisation.renameUnit(ADMIN, 'team-a2', 'Team A2 (search)');
    expect(renamed).toMatchObject({
      unitId: 'team-a2',
      name: 'Team A2 (search)',
      parentId: 'bu-a',
    });
    expect(await rejectionOf(app.organisation.moveUnit(ADMIN, 'bu-a', 'team-a1'))).toMatchObject({
      code: 'UNIT.CYCLE',
    });
    await app.organisation.createUnit(ADMIN, { unitId: 'spare', parentId: 'acme', name: 'Spare' });
    expect(await app.organisation.moveUnit(ADMIN, 'spare', 'bu-b')).toMatchObject({
      parentId: 'bu-b',
    });
    expect(await app.organisation.archiveUnit(ADMIN, 'spare')).toMatchObject({ archived: true });
    const tree = await app.organisation.subtree('acme', {});
    expect(tree.children.map((child) => child.unitId)).toEqual(['bu-a', 'bu-b']);
    expect(tree.children[1]?.children).toEqual([]);
    const withArchived = await app.organisation.subtree('acme', { includeArchived: true });
    expect(withArchived.children[1]?.children.map((child) => child.unitId)).toEqual(['spare']);
    expect(await app.organisation.unit('bu-a')).toMatchObject({
      attributeVersions: [{ effectiveFrom: '2026-01-01', values: { headcount: '60' } }],
    });
    expect(await rejectionOf(app.organisation.unit('nobody'))).toMatchObject({
      code: 'UNIT.NOT_FOUND',
    });
  });

  it('starts the catalog with the default classes and records them with the first change', async () => {
    const { app } = kit;
    const initial = await app.catalog.catalog();
    expect(initial.classOrder).toEqual(['essential', 'standard', 'discretionary']);
    expect(
      await app.catalog.registerUseCase(ADMIN, {
        useCase: 'chat',
        className: 'standard',
        description: 'Chat',
      }),
    ).toMatchObject({ useCase: 'chat', className: 'standard', retired: false });
    await app.catalog.defineClass(ADMIN, {
      className: 'forbidden',
      description: 'Never',
      rule: { kind: 'prohibited' },
    });
    await app.catalog.registerUseCase(ADMIN, {
      useCase: 'mining',
      className: 'forbidden',
      description: 'No',
    });
    const catalog = await app.catalog.catalog();
    expect(catalog.classOrder).toEqual(['essential', 'standard', 'discretionary', 'forbidden']);
    const stream = await app.store.readStream('usecase-catalog');
    expect(stream.map((event) => event.type)).toEqual([
      'UsefulnessClassDefined',
      'UsefulnessClassDefined',
      'UsefulnessClassDefined',
      'UseCaseRegistered',
      'UsefulnessClassDefined',
      'UseCaseRegistered',
    ]);
  });

  it('opens a budget, previews without writing and allocates with stored explanations', async () => {
    const { app } = kit;
    const opened = await app.budgets.open(ADMIN, {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 1_000_000n,
    });
    expect(opened).toMatchObject({
      status: 'open',
      ceiling: '1000000',
      allocated: '0',
      mode: 'hard',
    });
    expect(opened.period).toMatchObject({
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
    });

    const preview = await app.budgets.preview(BUDGET, {
      policies: HEADCOUNT_POLICIES,
      amount: 900_000n,
    });
    const byUnit = Object.fromEntries(preview.units.map((unit) => [unit.unitId, unit]));
    expect(byUnit.acme).toMatchObject({ amount: '900000', spendable: '90000' });
    expect(byUnit['bu-a']).toMatchObject({ amount: '486000', spendable: '0' });
    expect(byUnit['bu-b']).toMatchObject({ amount: '324000', spendable: '324000' });
    expect(byUnit['team-a1']).toMatchObject({ amount: '364500', spendable: '364500' });
    expect(byUnit['team-a1']?.explanation?.contributions[0]).toMatchObject({
      criterion: 'weight',
      attribute: 'headcount',
      weight: '30',
      totalWeight: '40',
    });
    expect((await app.budgets.get(BUDGET)).allocated).toBe('0');
    expect(
      await rejectionOf(
        app.budgets.preview(BUDGET, {
          policies: { acme: { rule: { kind: 'weights', components: [] } } },
        }),
      ),
    ).toMatchObject({ code: 'ALLOCATION.POLICY_INVALID' });

    const round = await app.budgets.allocate(ADMIN, BUDGET, {
      allocationId: 'round-1',
      policies: HEADCOUNT_POLICIES,
      amount: 900_000n,
    });
    expect(round.units).toEqual(preview.units);
    expect(await app.budgets.allocation(BUDGET, 'round-1')).toEqual(round);
    expect((await app.budgets.get(BUDGET)).allocated).toBe('900000');
    expect(await allocatedOf('team-a1')).toBe(364_500n);
    expect(await allocatedOf('bu-a')).toBe(0n);
    expect(await totalAllocated()).toBe(900_000n);
    expect(await rejectionOf(app.budgets.allocation(BUDGET, 'round-9'))).toMatchObject({
      code: 'ALLOCATION.NOT_FOUND',
    });
    // The perimeter now holds an allocation: it cannot be archived while the budget is open.
    expect(await rejectionOf(app.organisation.archiveUnit(ADMIN, 'team-a2'))).toMatchObject({
      code: 'UNIT.HAS_OPEN_ALLOCATIONS',
      details: { openAllocationCount: 1 },
    });
  });

  it('transfers unused quota, conserving the total', async () => {
    const { app } = kit;
    const transfer = await app.budgets.transfer(ADMIN, BUDGET, {
      transferId: 'tr-1',
      fromUnitId: 'team-a1',
      toUnitId: 'bu-b',
      amount: 64_500n,
      reason: 'BU B runs the March campaign',
    });
    expect(transfer).toEqual({
      budgetId: BUDGET,
      transferId: 'tr-1',
      fromUnitId: 'team-a1',
      toUnitId: 'bu-b',
      amount: '64500',
      reason: 'BU B runs the March campaign',
      actor: ADMIN.actor,
    });
    expect(await allocatedOf('team-a1')).toBe(300_000n);
    expect(await allocatedOf('bu-b')).toBe(388_500n);
    expect(await totalAllocated()).toBe(900_000n);
    expect(
      await rejectionOf(
        app.budgets.transfer(ADMIN, BUDGET, {
          transferId: 'tr-2',
          fromUnitId: 'team-a2',
          toUnitId: 'bu-b',
          amount: 121_501n,
          reason: 'too much',
        }),
      ),
    ).toMatchObject({ code: 'TRANSFER.INSUFFICIENT_UNUSED' });
  });

  it('lowers the ceiling above what is allocated, and below it only with a reclaim', async () => {
    const { app } = kit;
    expect(
      await app.budgets.lowerCeiling(ADMIN, BUDGET, {
        changeId: 'c-1',
        ceiling: 950_000n,
        reclaimUnused: false,
      }),
    ).toMatchObject({ ceiling: '950000', allocated: '900000' });
    expect(
      await rejectionOf(
        app.budgets.lowerCeiling(ADMIN, BUDGET, {
          changeId: 'c-2',
          ceiling: 800_000n,
          reclaimUnused: false,
        }),
      ),
    ).toMatchObject({ code: 'BUDGET.CEILING_BELOW_ALLOCATED' });
    expect(
      await rejectionOf(
        app.budgets.lowerCeiling(ADMIN, BUDGET, {
          changeId: 'c-3',
          ceiling: 990_000n,
          reclaimUnused: false,
        }),
      ),
    ).toMatchObject({ code: 'BUDGET.CEILING_RAISE_FORBIDDEN' });
    const lowered = await app.budgets.lowerCeiling(ADMIN, BUDGET, {
      changeId: 'c-4',
      ceiling: 800_000n,
      reclaimUnused: true,
    });
    expect(lowered).toMatchObject({ ceiling: '800000', allocated: '800000' });
    expect(await totalAllocated()).toBe(800_000n);
    // Every account gave up the same share of its unused quota (largest remainder).
    expect(await allocatedOf('acme')).toBe(80_000n);
    expect(
      (await app.budgets.list({ status: 'open' })).map((budget) => [
        budget.budgetId,
        budget.allocated,
      ]),
    ).toEqual([[BUDGET, '800000']]);
  });

  it('reserves, commits, releases and expires, and refuses what the rules forbid', async () => {
    const { app } = kit;
    const before = availableOf(await kit.account(BUDGET, 'team-a1'));
    const granted = await app.reservations.reserve(SERVICE, {
      reservationId: 'r-1',
      unitId: 'team-a1',
      amount: 100_000n,
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    expect(granted).toMatchObject({
      budgetId: BUDGET,
      dimension: 'energy',
      status: 'pending',
      usefulnessClass: 'standard',
      amount: '100000',
      available: String(before - 100_000n),
      expiresAt: '2026-03-10T12:01:00.000Z',
    });
    expect(await app.reservations.commit(SERVICE, 'r-1', 80_000n)).toMatchObject({
      status: 'committed',
      committedAmount: '80000',
      releasedAmount: '20000',
      available: String(before - 80_000n),
    });
    await app.reservations.reserve(SERVICE, {
      reservationId: 'r-2',
      unitId: 'team-a1',
      amount: 5_000n,
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    expect(await app.reservations.release(SERVICE, 'r-2')).toMatchObject({
      status: 'released',
      releasedAmount: '5000',
    });

    await app.reservations.reserve(SERVICE, {
      reservationId: 'r-3',
      unitId: 'team-a1',
      amount: 5_000n,
      useCase: 'chat',
      timeoutMs: 1_000,
    });
    await app.reservations.reserve(SERVICE, {
      reservationId: 'r-4',
      unitId: 'team-a1',
      amount: 5_000n,
      useCase: 'chat',
      timeoutMs: 1_000,
    });
    app.clock.advance(2_000);
    // A commit after the deadline, before any sweep: refused, and the reservation expires with it.
    expect(await rejectionOf(app.reservations.commit(SERVICE, 'r-4', 5_000n))).toMatchObject({
      code: 'RESERVATION.EXPIRED',
    });
    expect(await app.reservations.get('r-4')).toMatchObject({
      status: 'expired',
      releasedAmount: '5000',
    });
    expect(await app.expirer.expireDue()).toBe(1);
    expect(await app.reservations.get('r-3')).toMatchObject({ status: 'expired' });
    expect(await app.expirer.expireDue()).toBe(0);
    expect(await rejectionOf(app.reservations.commit(SERVICE, 'r-3', 1n))).toMatchObject({
      code: 'RESERVATION.ALREADY_FINALISED',
    });

    expect(
      await rejectionOf(
        app.reservations.reserve(SERVICE, {
          reservationId: 'r-5',
          unitId: 'team-a1',
          amount: 1n,
          useCase: 'mining',
          timeoutMs: 1_000,
        }),
      ),
    ).toMatchObject({ code: 'USECASE.PROHIBITED' });
    const available = availableOf(await kit.account(BUDGET, 'team-a1'));
    expect(
      await rejectionOf(
        app.reservations.reserve(SERVICE, {
          reservationId: 'r-6',
          unitId: 'team-a1',
          amount: available + 1n,
          useCase: 'chat',
          timeoutMs: 1_000,
        }),
      ),
    ).toMatchObject({ code: 'QUOTA.EXCEEDED', details: { available: String(available) } });
    expect(
      await rejectionOf(
        app.reservations.reserve(SERVICE, {
          reservationId: 'r-7',
          unitId: 'nobody',
          amount: 1n,
          useCase: 'chat',
          timeoutMs: 1_000,
        }),
      ),
    ).toMatchObject({ code: 'RESERVATION.NO_OPEN_BUDGET' });
    expect(await rejectionOf(app.reservations.get('r-6'))).toMatchObject({
      code: 'RESERVATION.NOT_FOUND',
    });

    // Every event carries who, why and where it goes.
    const events = await kit.accountEvents(BUDGET, 'team-a1');
    const reserved = events.find((event) => event.type === 'QuotaReserved');
    expect(reserved?.metadata).toMatchObject({
      actor: SERVICE.actor,
      partitionKey: 'team-a1',
      occurredAt: '2026-03-10T12:00:00.000Z',
    });
    const transferred = events.find((event) => event.type === 'QuotaTransferredOut');
    expect(transferred?.metadata).toMatchObject({
      actor: ADMIN.actor,
      correlationId: ADMIN.correlationId,
      reason: 'BU B runs the March campaign',
    });
  });

  it('debits usage with and without a reservation, exactly once per message', async () => {
    const { app } = kit;
    const inbox = new Inbox({ store: app.store, schema: SCHEMA });
    const apply = (messageId: string, recorded: ReturnType<typeof usage>) =>
      inbox.consumeOnce('allocation.usage', messageId, (tx) =>
        app.usage.apply(tx, recorded, { messageId, actor: 'kafka:usage.recorded' }),
      );
    const before = await kit.account(BUDGET, 'team-a2');
    const direct = await apply('src#u-1', usage({ unitId: 'team-a2', energyMicroWh: 1_000n }));
    expect(direct).toMatchObject({
      applied: true,
      result: [
        {
          budgetId: BUDGET,
          unitId: 'team-a2',
          dimension: 'energy',
          amount: '1000',
          status: 'debited',
          eventTypes: ['UsageDebited'],
        },
      ],
    });
    expect(await apply('src#u-1', usage({ unitId: 'team-a2', energyMicroWh: 1_000n }))).toEqual({
      applied: false,
    });
    expect((await kit.account(BUDGET, 'team-a2')).committed).toBe(before.committed + 1_000n);

    await app.reservations.reserve(SERVICE, {
      reservationId: 'r-10',
      unitId: 'team-a2',
      amount: 3_000n,
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    const withReservation = await apply(
      'src#u-2',
      usage({ unitId: 'team-a2', energyMicroWh: 2_500n, reservationId: 'r-10' }),
    );
    expect(withReservation).toMatchObject({
      result: [{ reservationId: 'r-10', eventTypes: ['ReservationCommitted'] }],
    });
    expect(await app.reservations.get('r-10')).toMatchObject({
      status: 'committed',
      committedAmount: '2500',
      releasedAmount: '500',
    });
    const debited = (await kit.accountEvents(BUDGET, 'team-a2')).find(
      (event) => event.type === 'UsageDebited',
    );
    expect(debited?.metadata).toMatchObject({
      actor: 'kafka:usage.recorded',
      causationId: 'src#u-1',
      partitionKey: 'team-a2',
    });
  });

  it('blocks a unit that overran until quota is transferred in', async () => {
    const { app } = kit;
    const inbox = new Inbox({ store: app.store, schema: SCHEMA });
    const available = availableOf(await kit.account(BUDGET, 'team-a2'));
    const outcome = await inbox.consumeOnce('allocation.usage', 'src#u-3', (tx) =>
      app.usage.apply(tx, usage({ unitId: 'team-a2', energyMicroWh: available + 7_000n }), {
        messageId: 'src#u-3',
        actor: 'kafka:usage.recorded',
      }),
    );
    expect(outcome).toMatchObject({ result: [{ overrunAmount: '7000' }] });
    if (!outcome.applied) throw new Error('not applied');
    expect(outcome.result[0]?.eventTypes).toEqual(
      expect.arrayContaining(['UsageDebited', 'OverrunRecorded', 'UnitBlocked']),
    );
    const blocked = await kit.account(BUDGET, 'team-a2');
    expect(blocked).toMatchObject({ blocked: true, overrun: 7_000n });
    expect(
      await rejectionOf(
        app.reservations.reserve(SERVICE, {
          reservationId: 'r-11',
          unitId: 'team-a2',
          amount: 1n,
          useCase: 'chat',
          timeoutMs: 1_000,
        }),
      ),
    ).toMatchObject({ code: 'QUOTA.UNIT_BLOCKED' });
    await app.budgets.transfer(ADMIN, BUDGET, {
      transferId: 'tr-3',
      fromUnitId: 'bu-b',
      toUnitId: 'team-a2',
      amount: 10_000n,
      reason: 'unblock',
    });
    const unblocked = await kit.account(BUDGET, 'team-a2');
    expect(unblocked.blocked).toBe(false);
    expect(
      await app.reservations.reserve(SERVICE, {
        reservationId: 'r-11',
        unitId: 'team-a2',
        amount: 1_000n,
        useCase: 'chat',
        timeoutMs: 600_000,
      }),
    ).toMatchObject({ status: 'pending' });
  });

  it('closes the period: pending reservations released, every account closed, archiving allowed', async () => {
    const { app } = kit;
    expect(await rejectionOf(app.budgets.close(ADMIN, BUDGET, {}))).toMatchObject({
      code: 'BUDGET.PERIOD_NOT_ENDED',
    });
    const closed = await app.budgets.close({ ...ADMIN, reason: 'reorganisation' }, BUDGET, {
      closeEarly: true,
    });
    expect(closed.status).toBe('closed');
    expect(await app.reservations.get('r-11')).toMatchObject({ status: 'released' });
    for (const unitId of units) expect((await kit.account(BUDGET, unitId)).status).toBe('closed');
    const budgetEvents = await app.store.readStream(budgetStreamId(BUDGET));
    expect(budgetEvents.at(-1)).toMatchObject({
      type: 'PeriodClosed',
      metadata: { reason: 'reorganisation' },
    });
    expect(await app.budgets.list({ status: 'closed' })).toHaveLength(1);
    expect(await app.organisation.archiveUnit(ADMIN, 'team-a2')).toMatchObject({ archived: true });
    expect(await app.budgets.close(ADMIN, BUDGET, { closeEarly: true })).toMatchObject({
      status: 'closed',
    });
  });

  it('records late usage on the closed budget, where billing can see the overrun', async () => {
    const { app } = kit;
    const inbox = new Inbox({ store: app.store, schema: SCHEMA });
    const before = await kit.account(BUDGET, 'team-a1');
    const outcome = await inbox.consumeOnce('allocation.usage', 'src#late', (tx) =>
      app.usage.apply(tx, usage({ unitId: 'team-a1', energyMicroWh: 500n }), {
        messageId: 'src#late',
        actor: 'kafka:usage.recorded',
      }),
    );
    expect(outcome).toMatchObject({ result: [{ budgetId: BUDGET, status: 'debited' }] });
    const after = await kit.account(BUDGET, 'team-a1');
    expect(after).toMatchObject({ status: 'closed', committed: before.committed + 500n });
    // Outside every period: recorded nowhere in allocation.
    const outside = await inbox.consumeOnce('allocation.usage', 'src#april', (tx) =>
      app.usage.apply(
        tx,
        usage({ unitId: 'team-a1', energyMicroWh: 500n, occurredAt: '2026-04-02T00:00:00.000Z' }),
        {
          messageId: 'src#april',
          actor: 'kafka:usage.recorded',
        },
      ),
    );
    expect(outside).toEqual({ applied: true, result: [] });
  });
});
