// A unit's history on real PostgreSQL: organisation, budget and account events merged newest
// first, with actor, reason and correlation id; budget filter; paging; refusals.
import { HistoryQueries } from './history.queries';
import { CARBON, ENERGY, TRANSFER_REASON, runMarchScenario } from './testing/march-scenario';
import { createReadTestKit, type ReadTestKit } from './testing/read-test-kit';

jest.setTimeout(120_000);

const WEB_ENERGY = `account-${ENERGY.length}:${ENERGY}:web`;
const WEB_CARBON = `account-${CARBON.length}:${CARBON}:web`;

describe('HistoryQueries.unitHistory', () => {
  let kit: ReadTestKit;
  let history: HistoryQueries;

  beforeAll(async () => {
    kit = await createReadTestKit('read_history');
    await runMarchScenario(kit.store, kit.pool);
    history = new HistoryQueries(kit.store);
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('merges the unit’s organisation, budget and account events, newest first', async () => {
    const page = await history.unitHistory('web');
    expect(page.nextBefore).toBeNull();
    const positions = page.events.map((entry) => BigInt(entry.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    expect(new Set(page.events.map((entry) => entry.streamId))).toEqual(
      new Set(['organisation', `budget-${ENERGY}`, `budget-${CARBON}`, WEB_ENERGY, WEB_CARBON]),
    );
    // Oldest first, the story of web in the energy budget.
    const energyStory = page.events
      .filter((entry) => entry.streamId !== WEB_CARBON && entry.streamId !== `budget-${CARBON}`)
      .map((entry) => entry.type)
      .reverse();
    expect(energyStory).toEqual([
      'UnitCreated',
      'UnitsAllocated',
      'AccountOpened',
      'QuotaAllocated',
      'QuotaReserved',
      'UsageDebited',
      'OverrunRecorded',
      'UnitBlocked',
      'ThresholdCrossed', // 50 %, 80 %, 100 % of the allocation, crossed by one usage
      'ThresholdCrossed',
      'ThresholdCrossed',
      'QuotaTransferred',
      'QuotaTransferredIn',
      'UnitUnblocked',
      'ReservationReleased',
    ]);
    // Nothing about other units: sales' side of the transfer is in sales' history only.
    expect(page.events.some((entry) => entry.type === 'QuotaTransferredOut')).toBe(false);
  });

  it('says who did it, why, and in which request', async () => {
    const { events } = await history.unitHistory('web', { budgetId: ENERGY });
    const created = events.find((entry) => entry.type === 'UnitCreated')!;
    expect(created).toMatchObject({
      streamId: 'organisation',
      actor: 'admin:ak_admin01',
      reason: 'new product team',
      correlationId: 'corr-setup',
      data: { unitId: 'web', parentId: 'rnd', name: 'Web' },
    });
    expect(created.occurredAt).toMatch(/^2026-03-02T/);
    expect(Number.isNaN(Date.parse(created.recordedAt))).toBe(false);
    const transferred = events.find((entry) => entry.type === 'QuotaTransferredIn')!;
    expect(transferred).toMatchObject({
      streamId: WEB_ENERGY,
      actor: 'unit_manager:ak_mgr0001',
      reason: TRANSFER_REASON,
      correlationId: 'corr-transfer',
      data: { fromUnitId: 'sales', amount: '100000' },
    });
    // The allocation part is cut down to web's own entry, with its explanation.
    const allocated = events.find((entry) => entry.type === 'UnitsAllocated')!;
    expect(allocated.data).toMatchObject({
      allocationId: 'round-1',
      units: [{ unitId: 'web', amount: '200000', spendable: '200000' }],
    });
    expect((allocated.data as { units: unknown[] }).units).toHaveLength(1);
  });

  it('filters on one budget', async () => {
    const { events, budgetId } = await history.unitHistory('web', { budgetId: CARBON });
    expect(budgetId).toBe(CARBON);
    expect(new Set(events.map((entry) => entry.streamId))).toEqual(
      new Set(['organisation', `budget-${CARBON}`, WEB_CARBON]),
    );
  });

  it('pages with before = nextBefore, without gaps or repeats', async () => {
    const all = (await history.unitHistory('web')).events.map((entry) => entry.position);
    const paged: string[] = [];
    let before: bigint | undefined;
    for (let pageIndex = 0; pageIndex < 50; pageIndex++) {
      const page = await history.unitHistory('web', {
        limit: 4,
        ...(before === undefined ? {} : { before }),
      });
      expect(page.events.length).toBeLessThanOrEqual(4);
      paged.push(...page.events.map((entry) => entry.position));
      if (page.nextBefore === null) break;
      before = BigInt(page.nextBefore);
    }
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(8);
  });

  it('includes a perimeter unit’s BudgetOpened and a parent’s own account', async () => {
    const { events } = await history.unitHistory('acme', { budgetId: ENERGY });
    expect(events.map((entry) => entry.type).reverse()).toEqual([
      'UnitCreated',
      'BudgetOpened',
      'UnitsAllocated',
      'AccountOpened',
      'QuotaAllocated',
    ]);
  });

  it('refuses unknown units and budgets and bad paging', async () => {
    await expect(history.unitHistory('ghost')).rejects.toMatchObject({ code: 'UNIT.NOT_FOUND' });
    await expect(history.unitHistory('web', { budgetId: 'nope' })).rejects.toMatchObject({
      code: 'BUDGET.NOT_FOUND',
    });
    await expect(history.unitHistory('web', { limit: 1_001 })).rejects.toMatchObject({
      code: 'COMMAND.INVALID',
      details: { field: 'limit' },
    });
    await expect(history.unitHistory('web', { before: 0n })).rejects.toMatchObject({
      code: 'COMMAND.INVALID',
      details: { field: 'before' },
    });
  });
});
