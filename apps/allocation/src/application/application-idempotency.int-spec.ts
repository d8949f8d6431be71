// Retries with client-chosen ids answer as the first call did; the same id for another request is
// IDEMPOTENCY.CONFLICT — including after the account's window of recent outcomes moved on.
import { ORGANISATION_STREAM_ID } from '../domain';
import {
  ADMIN,
  createApplicationTestKit,
  HEADCOUNT_POLICIES,
  rejectionOf,
  SERVICE,
  seedOrganisation,
  type ApplicationTestKit,
} from './testing/application-test-kit';

jest.setTimeout(180_000);

const BUDGET = 'tokens-2026-03';

describe('idempotent retries of the application commands', () => {
  let kit: ApplicationTestKit;
  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_app_idempotency');
    await seedOrganisation(kit.app);
    await kit.app.catalog.registerUseCase(ADMIN, {
      useCase: 'chat',
      className: 'standard',
      description: 'Chat',
    });
    await kit.app.budgets.open(ADMIN, {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'tokens',
      period: { kind: 'month', month: '2026-03' },
      ceiling: 10_000_000n,
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('creates a unit with attributes once, however often the request is repeated', async () => {
    const { app } = kit;
    await app.organisation.createUnit(ADMIN, { unitId: 'lab', parentId: null, name: 'Lab' });
    const input = {
      unitId: 'team-x',
      parentId: 'lab',
      name: 'Team X',
      attributes: { effectiveFrom: '2026-02-01', values: { headcount: '12', revenue: '1234.50' } },
    };
    const first = await app.organisation.createUnit(ADMIN, input);
    const again = await app.organisation.createUnit({ ...ADMIN, correlationId: 'retry' }, input);
    expect(again).toEqual(first);
    expect(first.attributeVersions).toEqual([
      { effectiveFrom: '2026-02-01', values: { headcount: '12', revenue: '1234.50' } },
    ]);
    const events = (await app.store.readStream(ORGANISATION_STREAM_ID)).filter(
      (event) => (event.data as { unitId: string }).unitId === 'team-x',
    );
    expect(events.map((event) => event.type)).toEqual(['UnitCreated', 'UnitAttributesSet']);
    expect(
      await rejectionOf(app.organisation.createUnit(ADMIN, { ...input, name: 'Other' })),
    ).toMatchObject({
      code: 'UNIT.ALREADY_EXISTS',
    });
    expect(
      await rejectionOf(
        app.organisation.createUnit(ADMIN, {
          ...input,
          attributes: { ...input.attributes, values: { headcount: '13' } },
        }),
      ),
    ).toMatchObject({ code: 'IDEMPOTENCY.CONFLICT' });
    expect(
      await rejectionOf(
        app.organisation.setAttributes(ADMIN, 'team-x', '2026-03-01', { headcount: '1e3' }),
      ),
    ).toMatchObject({ code: 'COMMAND.INVALID', details: { field: 'attributes.headcount' } });
  });

  it('answers a repeated allocation with the stored round and refuses another amount', async () => {
    const { app } = kit;
    const input = { allocationId: 'round-1', policies: HEADCOUNT_POLICIES, amount: 9_000_000n };
    const first = await app.budgets.allocate(ADMIN, BUDGET, input);
    expect(await app.budgets.allocate(ADMIN, BUDGET, input)).toEqual(first);
    expect(
      await app.budgets.allocate(ADMIN, BUDGET, {
        allocationId: 'round-1',
        policies: HEADCOUNT_POLICIES,
      }),
    ).toEqual(first);
    expect((await app.budgets.get(BUDGET)).allocated).toBe('9000000');
    expect(
      await rejectionOf(app.budgets.allocate(ADMIN, BUDGET, { ...input, amount: 8_000_000n })),
    ).toMatchObject({
      code: 'IDEMPOTENCY.CONFLICT',
    });
    const otherPolicies = { ...HEADCOUNT_POLICIES, acme: { rule: HEADCOUNT_POLICIES.acme.rule } };
    expect(
      await rejectionOf(app.budgets.allocate(ADMIN, BUDGET, { ...input, policies: otherPolicies })),
    ).toMatchObject({
      code: 'IDEMPOTENCY.CONFLICT',
    });
  });

  it('answers a repeated transfer with the original, even once the source could not afford it again', async () => {
    const { app } = kit;
    const source = (await kit.account(BUDGET, 'team-a2')).allocated;
    const input = {
      transferId: 'tr-all',
      fromUnitId: 'team-a2',
      toUnitId: 'team-a1',
      amount: source,
      reason: 'merge',
    };
    const first = await app.budgets.transfer(ADMIN, BUDGET, input);
    expect(await app.budgets.transfer(ADMIN, BUDGET, input)).toEqual(first);
    expect((await kit.account(BUDGET, 'team-a2')).allocated).toBe(0n);
    expect(
      await rejectionOf(app.budgets.transfer(ADMIN, BUDGET, { ...input, amount: 1n })),
    ).toMatchObject({
      code: 'IDEMPOTENCY.CONFLICT',
    });
  });

  it('answers a repeated ceiling change with the budget, not as a raise after a later lowering', async () => {
    const { app } = kit;
    await app.budgets.lowerCeiling(ADMIN, BUDGET, {
      changeId: 'c-1',
      ceiling: 9_500_000n,
      reclaimUnused: false,
    });
    await app.budgets.lowerCeiling(ADMIN, BUDGET, {
      changeId: 'c-2',
      ceiling: 9_200_000n,
      reclaimUnused: false,
    });
    expect(
      await app.budgets.lowerCeiling(ADMIN, BUDGET, {
        changeId: 'c-1',
        ceiling: 9_500_000n,
        reclaimUnused: false,
      }),
    ).toMatchObject({ ceiling: '9200000' });
    expect(
      await rejectionOf(
        app.budgets.lowerCeiling(ADMIN, BUDGET, {
          changeId: 'c-1',
          ceiling: 9_400_000n,
          reclaimUnused: false,
        }),
      ),
    ).toMatchObject({ code: 'IDEMPOTENCY.CONFLICT' });
  });

  it('answers a repeated reservation as first granted, and refuses the id for another request', async () => {
    const { app } = kit;
    const request = {
      reservationId: 'job-1',
      unitId: 'team-a1',
      amount: 1_000n,
      useCase: 'chat',
      timeoutMs: 60_000,
    };
    const granted = await app.reservations.reserve(SERVICE, request);
    expect(await app.reservations.reserve(SERVICE, request)).toEqual(granted);
    await app.reservations.commit(SERVICE, 'job-1', 400n);
    expect(await app.reservations.reserve(SERVICE, request)).toMatchObject({
      status: 'committed',
      committedAmount: '400',
    });
    expect(await app.reservations.commit(SERVICE, 'job-1', 400n)).toMatchObject({
      status: 'committed',
    });
    expect(await rejectionOf(app.reservations.commit(SERVICE, 'job-1', 300n))).toMatchObject({
      code: 'RESERVATION.ALREADY_FINALISED',
    });
    for (const other of [
      { amount: 2_000n },
      { unitId: 'bu-b' },
      { timeoutMs: 1_000 },
      { useCase: 'other' },
    ])
      expect(
        await rejectionOf(app.reservations.reserve(SERVICE, { ...request, ...other })),
      ).toMatchObject({
        code: 'IDEMPOTENCY.CONFLICT',
      });
    const reserved = (await kit.accountEvents(BUDGET, 'team-a1')).filter(
      (event) => event.type === 'QuotaReserved',
    );
    expect(reserved).toHaveLength(1);
  });

  it('refuses concurrent reuse of a new id for two units: one grant, one conflict', async () => {
    const { app } = kit;
    const base = { reservationId: 'job-twin', amount: 10n, useCase: 'chat', timeoutMs: 60_000 };
    const results = await Promise.allSettled([
      app.reservations.reserve(SERVICE, { ...base, unitId: 'team-a1' }),
      app.reservations.reserve(SERVICE, { ...base, unitId: 'bu-b' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected).toMatchObject({ reason: { code: 'IDEMPOTENCY.CONFLICT' } });
  });

  it('remembers a reservation past the account window of 512 recent outcomes', async () => {
    const { app } = kit;
    const request = (index: number) => ({
      reservationId: `bulk-${index}`,
      unitId: 'bu-b',
      amount: 1n,
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    await Promise.all(
      Array.from({ length: 520 }, (_, index) => app.reservations.reserve(SERVICE, request(index))),
    );
    // bulk-0 first, so that it is the oldest outcome whatever order the other 519 are batched in.
    await app.reservations.release(SERVICE, 'bulk-0');
    await Promise.all(
      Array.from({ length: 519 }, (_, index) =>
        app.reservations.release(SERVICE, `bulk-${index + 1}`),
      ),
    );
    const account = await kit.account(BUDGET, 'bu-b');
    expect(account.recent.some((outcome) => outcome.reservationId === 'bulk-0')).toBe(false);
    expect(await app.reservations.reserve(SERVICE, request(0))).toMatchObject({
      status: 'released',
      reservationId: 'bulk-0',
    });
    expect(await app.reservations.release(SERVICE, 'bulk-0')).toMatchObject({ status: 'released' });
    expect(await rejectionOf(app.reservations.commit(SERVICE, 'bulk-0', 1n))).toMatchObject({
      code: 'RESERVATION.ALREADY_FINALISED',
    });
    expect(
      await rejectionOf(app.reservations.reserve(SERVICE, { ...request(0), amount: 2n })),
    ).toMatchObject({
      code: 'IDEMPOTENCY.CONFLICT',
    });
  });
});
