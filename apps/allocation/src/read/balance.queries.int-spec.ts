// Strong balance queries on real PostgreSQL: figures after a realistic sequence, roll-up up the
// tree, time travel by instant and by position, and the refusals.
import { BalanceQueries } from './balance.queries';
import type { BalanceFigures, UnitBalanceFigures } from './balance.views';
import {
  ADMIN,
  CARBON,
  ENERGY,
  runMarchScenario,
  type MarchScenario,
} from './testing/march-scenario';
import { createReadTestKit, type ReadTestKit } from './testing/read-test-kit';

jest.setTimeout(120_000);

const figures = (
  allocated: number,
  reserved: number,
  committed: number,
  available: number,
  overrun: number,
): BalanceFigures => ({
  allocated: String(allocated),
  reserved: String(reserved),
  committed: String(committed),
  available: String(available),
  overrun: String(overrun),
});

const own = (row: UnitBalanceFigures): BalanceFigures => ({
  allocated: row.allocated,
  reserved: row.reserved,
  committed: row.committed,
  available: row.available,
  overrun: row.overrun,
});

describe('BalanceQueries (strong, from the account streams)', () => {
  let kit: ReadTestKit;
  let scenario: MarchScenario;
  let balances: BalanceQueries;

  beforeAll(async () => {
    kit = await createReadTestKit('read_balances');
    scenario = await runMarchScenario(kit.store, kit.pool);
    balances = new BalanceQueries(kit.store);
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('gives each unit its own figures after allocate, reserve, commit, overrun and transfer', async () => {
    const report = await balances.budgetBalances(ENERGY);
    expect(report).toMatchObject({
      budgetId: ENERGY,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      status: 'open',
      asOf: null,
      totals: figures(1_000_000, 0, 300_000, 770_000, 70_000),
    });
    // Tree order, parents first; ops was created after the allocation and has no account.
    expect(report.units.map((row) => row.unitId)).toEqual([
      'acme',
      'sales',
      'rnd',
      'ml',
      'web',
      'ops',
    ]);
    const byUnit = new Map(report.units.map((row) => [row.unitId, row]));
    expect(own(byUnit.get('acme')!)).toEqual(figures(200_000, 0, 0, 200_000, 0));
    expect(own(byUnit.get('sales')!)).toEqual(figures(200_000, 0, 10_000, 190_000, 0));
    expect(own(byUnit.get('rnd')!)).toEqual(figures(0, 0, 0, 0, 0));
    expect(own(byUnit.get('ml')!)).toEqual(figures(300_000, 0, 40_000, 260_000, 0));
    // 250 000 used on 200 000 allocated with 20 000 reserved: 70 000 overrun, then 100 000 came in.
    expect(own(byUnit.get('web')!)).toEqual(figures(300_000, 0, 250_000, 120_000, 70_000));
    expect(byUnit.get('web')).toMatchObject({ blocked: false, closed: false });
    expect(own(byUnit.get('ops')!)).toEqual(figures(0, 0, 0, 0, 0));
  });

  it('rolls figures up the tree: every parent carries its subtree', async () => {
    const report = await balances.budgetBalances(ENERGY);
    const byUnit = new Map(report.units.map((row) => [row.unitId, row]));
    expect(byUnit.get('rnd')!.subtree).toEqual(figures(600_000, 0, 290_000, 380_000, 70_000));
    expect(byUnit.get('acme')!.subtree).toEqual(report.totals);
    expect(byUnit.get('ml')!.subtree).toEqual(own(byUnit.get('ml')!));

    const rnd = await balances.unitBalance(ENERGY, 'rnd', { rollUp: true });
    expect(rnd).toMatchObject({ budgetId: ENERGY, unitId: 'rnd', dimension: 'energy' });
    expect(rnd.subtree).toEqual(figures(600_000, 0, 290_000, 380_000, 70_000));
    const flat = await balances.unitBalance(ENERGY, 'rnd', { rollUp: false });
    expect(flat.subtree).toBeUndefined();
    expect(own(flat)).toEqual(figures(0, 0, 0, 0, 0));
  });

  it('travels back by position and by instant to the figures of that moment', async () => {
    const { position, at } = scenario.phase1;
    for (const asOf of [{ position }, { at }]) {
      const web = await balances.unitBalance(ENERGY, 'web', { asOf, rollUp: true });
      expect(own(web)).toEqual(figures(200_000, 20_000, 0, 180_000, 0));
      expect(web.blocked).toBe(false);
      const report = await balances.budgetBalances(ENERGY, { asOf });
      const byUnit = new Map(report.units.map((row) => [row.unitId, row]));
      expect(own(byUnit.get('sales')!)).toEqual(figures(300_000, 0, 10_000, 290_000, 0));
      expect(report.totals).toEqual(figures(1_000_000, 20_000, 50_000, 930_000, 0));
      // ops did not exist yet.
      expect(byUnit.has('ops')).toBe(false);
    }
    expect((await balances.budgetBalances(ENERGY, { asOf: { position } })).asOf).toBe(
      `position:${position}`,
    );
  });

  it('shows the block between the overrun and the transfer', async () => {
    const events = await kit.pool.query<{ position: string; type: string }>(
      `SELECT global_position::text AS position, event_type AS type FROM allocation.events
        WHERE stream_id = $1 ORDER BY stream_version`,
      [`account-${ENERGY.length}:${ENERGY}:web`],
    );
    const blockedAt = events.rows.find((row) => row.type === 'UnitBlocked')!.position;
    const web = await balances.unitBalance(ENERGY, 'web', {
      asOf: { position: BigInt(blockedAt) },
      rollUp: false,
    });
    expect(web.blocked).toBe(true);
    expect(own(web)).toEqual(figures(200_000, 20_000, 250_000, 0, 70_000));
  });

  it('keeps budgets apart and parses budget ids holding ":"', async () => {
    const report = await balances.budgetBalances(CARBON);
    expect(report.units.map((row) => row.unitId)).toEqual(['rnd', 'ml', 'web']);
    expect(report.totals).toEqual(figures(5_000, 0, 500, 4_500, 0));
    expect(report.dimension).toBe('carbon');
  });

  it('is exact at once after a commit (no projection in the way)', async () => {
    await scenario.workload.reserve(ENERGY, 'ml', 'r-ml-2', 7n, ADMIN);
    const ml = await balances.unitBalance(ENERGY, 'ml', { rollUp: false });
    expect(own(ml)).toEqual(figures(300_000, 7, 40_000, 259_993, 0));
    await scenario.workload.release(ENERGY, 'ml', 'r-ml-2', ADMIN);
  });

  it('refuses unknown budgets and units, and units outside the budget', async () => {
    await expect(balances.budgetBalances('nope')).rejects.toMatchObject({
      code: 'BUDGET.NOT_FOUND',
      details: { budgetId: 'nope' },
    });
    await expect(balances.unitBalance(ENERGY, 'ghost', { rollUp: true })).rejects.toMatchObject({
      code: 'UNIT.NOT_FOUND',
    });
    await expect(balances.unitBalance(ENERGY, 'other', { rollUp: true })).rejects.toMatchObject({
      code: 'UNIT.NOT_IN_BUDGET',
      details: { budgetId: ENERGY, unitId: 'other', perimeterUnitId: 'acme' },
    });
    // Before it existed, ops is not found; now it is in the perimeter with zero figures.
    await expect(
      balances.unitBalance(ENERGY, 'ops', {
        asOf: { position: scenario.phase1.position },
        rollUp: false,
      }),
    ).rejects.toMatchObject({ code: 'UNIT.NOT_FOUND' });
    expect(own(await balances.unitBalance(ENERGY, 'ops', { rollUp: true }))).toEqual(
      figures(0, 0, 0, 0, 0),
    );
    // A budget that did not exist yet at that position.
    await expect(
      balances.budgetBalances(CARBON, { asOf: { position: scenario.phase1.position } }),
    ).rejects.toMatchObject({ code: 'BUDGET.NOT_FOUND' });
    await expect(balances.budgetBalances('x'.repeat(500))).rejects.toMatchObject({
      code: 'BUDGET.NOT_FOUND',
    });
  });

  it('saves a snapshot of a long account fold and gives the same figures from it', async () => {
    for (let index = 0; index < 60; index++) {
      await scenario.workload.reserve(ENERGY, 'sales', `r-sales-${index}`, 1n, SERVICE_CTX);
      await scenario.workload.release(ENERGY, 'sales', `r-sales-${index}`, SERVICE_CTX);
    }
    const first = await balances.unitBalance(ENERGY, 'sales', { rollUp: false });
    const { rows } = await kit.pool.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM allocation.snapshots
        WHERE stream_id = $1 AND snapshot_name = 'read.unit-balance.v1'`,
      [`account-${ENERGY.length}:${ENERGY}:sales`],
    );
    expect(Number(rows[0]!.count)).toBeGreaterThan(0);
    const second = await balances.unitBalance(ENERGY, 'sales', { rollUp: false });
    expect(second).toEqual(first);
    expect(own(second)).toEqual(figures(200_000, 0, 10_000, 190_000, 0));
  });
});

const SERVICE_CTX = { actor: 'service:ak_svc0001' };
