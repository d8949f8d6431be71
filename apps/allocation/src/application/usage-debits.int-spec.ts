// Routing recorded usage to budgets, inside the inbox transaction as the Kafka consumer runs it.
import { Inbox } from '@plafond/ledger';
import {
  ADMIN,
  createApplicationTestKit,
  SCHEMA,
  SERVICE,
  usage,
  type ApplicationTestKit,
} from './testing/application-test-kit';
import type { UsageDebitOutcome } from './usage-debits';

jest.setTimeout(120_000);

const ENERGY = 'energy-2026-03';
const TOKENS = 'tokens-2026-03';
const FEB = 'energy-2026-02';

const staticSplit = (parent: string, members: Record<string, bigint>) => ({
  [parent]: {
    rule: {
      kind: 'static',
      members: Object.entries(members).map(([childId, amount]) => ({
        childId,
        amount: amount.toString(),
      })),
    },
  },
});

describe('usage debits', () => {
  let kit: ApplicationTestKit;
  let inbox: Inbox;
  const apply = async (
    messageId: string,
    recorded: ReturnType<typeof usage>,
    consumer = 'allocation.usage',
  ) => {
    const outcome = await inbox.consumeOnce(consumer, messageId, (tx) =>
      kit.app.usage.apply(tx, recorded, { messageId, actor: 'kafka:usage.recorded' }),
    );
    return outcome.applied ? outcome.result : undefined;
  };
  const byBudget = (outcomes: UsageDebitOutcome[] | undefined) =>
    Object.fromEntries((outcomes ?? []).map((outcome) => [outcome.budgetId, outcome]));

  beforeAll(async () => {
    kit = await createApplicationTestKit('alloc_app_usage');
    const { app } = kit;
    inbox = new Inbox({ store: app.store, schema: SCHEMA });
    for (const [unitId, parentId] of [
      ['org', null],
      ['lab', 'org'],
      ['ops', 'org'],
      ['newcomer', 'org'],
    ] as const)
      await app.organisation.createUnit(ADMIN, { unitId, parentId, name: unitId });
    await app.catalog.registerUseCase(ADMIN, {
      useCase: 'chat',
      className: 'essential',
      description: 'Chat',
    });
    const period = { kind: 'month', month: '2026-03' } as const;
    await app.budgets.open(ADMIN, {
      budgetId: ENERGY,
      perimeterUnitId: 'org',
      dimension: 'energy',
      period,
      ceiling: 100_000n,
    });
    await app.budgets.open(ADMIN, {
      budgetId: TOKENS,
      perimeterUnitId: 'lab',
      dimension: 'tokens',
      period,
      ceiling: 1_000n,
    });
    await app.budgets.allocate(ADMIN, ENERGY, {
      allocationId: 'r1',
      amount: 100_000n,
      policies: staticSplit('org', { lab: 60_000n, ops: 40_000n, newcomer: 0n }),
    });
    await app.budgets.allocate(ADMIN, TOKENS, { allocationId: 'r1', amount: 1_000n, policies: {} });
    app.clock.set(new Date('2026-02-10T00:00:00Z'));
    await app.budgets.open(ADMIN, {
      budgetId: FEB,
      perimeterUnitId: 'org',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-02' },
      ceiling: 10n,
    });
    app.clock.set(new Date('2026-03-10T12:00:00Z'));
    await app.budgets.close({ ...ADMIN, reason: 'February is over' }, FEB, {});
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('debits every budget covering the unit, each in its own dimension', async () => {
    const result = byBudget(
      await apply(
        'gw#1',
        usage({ unitId: 'lab', energyMicroWh: 700n, inputTokens: 30n, outputTokens: 12n }),
      ),
    );
    expect(Object.keys(result).sort()).toEqual([ENERGY, TOKENS]);
    expect(result[ENERGY]).toMatchObject({ dimension: 'energy', amount: '700', status: 'debited' });
    expect(result[TOKENS]).toMatchObject({ dimension: 'tokens', amount: '42', status: 'debited' });
    expect((await kit.account(TOKENS, 'lab')).committed).toBe(42n);
    // No tokens for ops's budgets: nothing to debit there, and ops is outside the tokens budget.
    expect(
      Object.keys(
        byBudget(await apply('gw#2', usage({ unitId: 'ops', energyMicroWh: 5n, inputTokens: 9n }))),
      ),
    ).toEqual([ENERGY]);
  });

  it('passes the reservation to its own budget only', async () => {
    await kit.app.reservations.reserve(SERVICE, {
      reservationId: 'job-9',
      unitId: 'lab',
      amount: 100n,
      useCase: 'chat',
      timeoutMs: 60_000,
      budgetId: TOKENS,
    });
    const result = byBudget(
      await apply(
        'gw#3',
        usage({ unitId: 'lab', energyMicroWh: 10n, inputTokens: 80n, reservationId: 'job-9' }),
      ),
    );
    expect(result[TOKENS]).toMatchObject({
      reservationId: 'job-9',
      eventTypes: ['ReservationCommitted'],
    });
    expect(result[ENERGY]).toMatchObject({ reservationId: null, eventTypes: ['UsageDebited'] });
    expect(await kit.app.reservations.get('job-9')).toMatchObject({
      status: 'committed',
      committedAmount: '80',
    });
  });

  it('opens an account for a unit of the perimeter that had none, and records its overrun', async () => {
    await kit.app.organisation.createUnit(ADMIN, {
      unitId: 'intern',
      parentId: 'lab',
      name: 'Intern',
    });
    const result = byBudget(await apply('gw#4', usage({ unitId: 'intern', energyMicroWh: 3n })));
    // Nothing allocated: every threshold is crossed by the first debit.
    expect(result[ENERGY]?.eventTypes).toEqual([
      'AccountOpened',
      'UsageDebited',
      'OverrunRecorded',
      'UnitBlocked',
      'ThresholdCrossed',
      'ThresholdCrossed',
      'ThresholdCrossed',
    ]);
    expect(await kit.account(ENERGY, 'intern')).toMatchObject({
      status: 'open',
      committed: 3n,
      overrun: 3n,
      blocked: true,
    });
  });

  it('records late usage of a closed period on a closed account, opened and closed at once', async () => {
    const result = byBudget(
      await apply(
        'gw#5',
        usage({ unitId: 'ops', energyMicroWh: 25n, occurredAt: '2026-02-20T08:00:00Z' }),
      ),
    );
    expect(Object.keys(result)).toEqual([FEB]);
    // Closed before the debit: a closed account is never blocked, its overrun stays on record.
    expect(result[FEB]?.eventTypes).toEqual([
      'AccountOpened',
      'AccountClosed',
      'UsageDebited',
      'OverrunRecorded',
      'ThresholdCrossed',
      'ThresholdCrossed',
      'ThresholdCrossed',
    ]);
    expect(await kit.account(FEB, 'ops')).toMatchObject({
      status: 'closed',
      committed: 25n,
      overrun: 25n,
    });
  });

  it('follows a unit moved out of the perimeter to the budget where it holds an account', async () => {
    await kit.app.organisation.createUnit(ADMIN, {
      unitId: 'elsewhere',
      parentId: null,
      name: 'Elsewhere',
    });
    await kit.app.organisation.moveUnit(ADMIN, 'ops', 'elsewhere');
    const result = byBudget(await apply('gw#6', usage({ unitId: 'ops', energyMicroWh: 5n })));
    expect(Object.keys(result)).toEqual([ENERGY]);
  });

  it('never records one usage twice, even delivered under another consumer name', async () => {
    const before = (await kit.account(ENERGY, 'lab')).committed;
    const again = await apply(
      'gw#1',
      usage({ unitId: 'lab', energyMicroWh: 700n, inputTokens: 30n, outputTokens: 12n }),
      'renamed.usage',
    );
    expect((again ?? []).map((outcome) => outcome.status)).toEqual(['duplicate', 'duplicate']);
    expect((await kit.account(ENERGY, 'lab')).committed).toBe(before);
  });

  it('debits exactly when several usages share one transaction, on one account or several', async () => {
    const lab = (await kit.account(ENERGY, 'lab')).committed;
    const labTokens = (await kit.account(TOKENS, 'lab')).committed;
    const entry = (messageId: string, recorded: ReturnType<typeof usage>) => ({
      messageId,
      effect: (tx: Parameters<typeof kit.app.usage.apply>[0]) =>
        kit.app.usage.apply(tx, recorded, { messageId, actor: 'kafka:usage.recorded' }),
    });
    // As the consumer applies a chunk: one transaction, budgets read once, the same account
    // debited three times (each debit sees the previous one's events), a repeat applied once.
    const results = await inbox.consumeEachOnce('allocation.usage', [
      entry('chunk#1', usage({ unitId: 'lab', energyMicroWh: 11n, inputTokens: 1n })),
      entry('chunk#2', usage({ unitId: 'lab', energyMicroWh: 13n })),
      entry('chunk#1', usage({ unitId: 'lab', energyMicroWh: 11n, inputTokens: 1n })),
      entry('chunk#3', usage({ unitId: 'lab', energyMicroWh: 17n, outputTokens: 2n })),
    ]);
    expect(results.map((result) => result.applied)).toEqual([true, true, false, true]);
    expect((await kit.account(ENERGY, 'lab')).committed).toBe(lab + 41n);
    expect((await kit.account(TOKENS, 'lab')).committed).toBe(labTokens + 3n);
    // The same usages in another chunk: nothing twice.
    await inbox.consumeEachOnce('allocation.usage', [
      entry('chunk#2', usage({ unitId: 'lab', energyMicroWh: 13n })),
      entry('chunk#3', usage({ unitId: 'lab', energyMicroWh: 17n, outputTokens: 2n })),
    ]);
    expect((await kit.account(ENERGY, 'lab')).committed).toBe(lab + 41n);
  });

  it('routes nowhere for a unit the organisation does not know', async () => {
    expect(await apply('gw#7', usage({ unitId: 'ghost', energyMicroWh: 5n }))).toEqual([]);
  });
});
