// Burn-down and scarcity over real HTTP (the allocation service as wired in production, on real
// PostgreSQL and Kafka, with the system clock): who may read what, a refused reservation counted
// after the flush interval, validation codes, and the OpenAPI document.
import {
  startAllocationTestService,
  type AllocationTestService,
  type Client,
} from './allocation-service';
import { waitFor } from '@plafond/testing';

jest.setTimeout(120_000);

const MONTH = new Date().toISOString().slice(0, 7);
const BUDGET = `insights-${MONTH}`;

interface BurnDown {
  unitId: string;
  allocated: string;
  asOf: string;
  points: { at: string; committed: string }[];
  units: { unitId: string; allocated: string; committed: string[] }[];
  projection: { committed: string };
}
interface Refusals {
  totals: {
    count: number;
    requested: string;
    byReason: Record<string, number>;
    byClass: Record<string, number>;
  };
  units: { unitId: string; count: number; lastReason: string }[];
  blocked: { unitId: string; reason: string }[];
}

describe('allocation burn-down and refusals over HTTP', () => {
  let allocation: AllocationTestService;
  let admin: Client;
  let auditor: Client;
  let gateway: Client;
  let manager: Client;

  beforeAll(async () => {
    allocation = await startAllocationTestService('alloc_insights_http', {
      RESERVATION_REFUSALS_FLUSH_MS: '100',
    });
    admin = allocation.admin;
    auditor = await allocation.clientWithNewKey('audit', 'auditor');
    gateway = await allocation.clientWithNewKey('gateway', 'service');
    for (const [unitId, parentId] of [
      ['org', null],
      ['dig', 'org'],
      ['res', 'org'],
    ] as const)
      expect((await admin.post('/v1/units', { unitId, parentId, name: unitId })).status).toBe(201);
    manager = await allocation.clientWithNewKey('dig-manager', 'unit_manager', 'dig');
    await admin.post('/v1/use-cases', {
      useCase: 'chat',
      className: 'standard',
      description: 'Chat',
    });
    expect(
      (
        await admin.post('/v1/budgets', {
          budgetId: BUDGET,
          perimeterUnitId: 'org',
          dimension: 'energy',
          period: { kind: 'month', month: MONTH },
          ceiling: '1000000',
        })
      ).status,
    ).toBe(201);
    const members = [
      { childId: 'dig', amount: '600000' },
      { childId: 'res', amount: '300000' },
    ];
    expect(
      (
        await admin.post(`/v1/budgets/${BUDGET}/allocations`, {
          allocationId: 'a1',
          policies: { org: { rule: { kind: 'static', members } } },
        })
      ).status,
    ).toBe(201);
    const reserved = await gateway.post('/v1/reservations', {
      reservationId: 'g-1',
      unitId: 'dig',
      amount: '100000',
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    expect(reserved.status).toBe(201);
    expect((await gateway.post('/v1/reservations/g-1/commit', { amount: '40000' })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await allocation?.close();
  });

  it('draws the burn-down of the perimeter and of a unit manager’s own unit', async () => {
    const whole = await auditor.get<BurnDown>(`/v1/budgets/${BUDGET}/burn-down`);
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({
      unitId: 'org',
      // No amount: the whole ceiling; org keeps the 100 000 its static split leaves.
      allocated: '1000000',
      projection: { committed: '40000' },
    });
    const last = whole.body.points.at(-1);
    expect(last).toEqual({ at: whole.body.asOf, committed: '40000' });
    // One point per elapsed UTC day of the month, the last ending now.
    expect(whole.body.points).toHaveLength(new Date(whole.body.asOf).getUTCDate());
    expect(
      whole.body.units.map((unit) => [unit.unitId, unit.allocated, unit.committed.at(-1)]),
    ).toEqual([
      ['dig', '600000', '40000'],
      ['res', '300000', '0'],
    ]);
    const own = await manager.get<BurnDown>(`/v1/budgets/${BUDGET}/burn-down`);
    expect(own).toMatchObject({ status: 200, body: { unitId: 'dig', allocated: '600000' } });
    expect(await manager.get(`/v1/budgets/${BUDGET}/burn-down?unitId=res`)).toMatchObject({
      status: 403,
      body: { code: 'AUTH.FORBIDDEN' },
    });
    expect((await gateway.get(`/v1/budgets/${BUDGET}/burn-down?unitId=res`)).status).toBe(200);
    expect(await admin.get('/v1/budgets/nope/burn-down')).toMatchObject({
      status: 404,
      body: { code: 'BUDGET.NOT_FOUND' },
    });
    expect(await admin.get(`/v1/budgets/${BUDGET}/burn-down?unitId=ghost`)).toMatchObject({
      status: 404,
      body: { code: 'UNIT.NOT_FOUND' },
    });
  });

  it('shows a refused reservation within the flush interval, to those who may see its unit', async () => {
    const refused = await gateway.post('/v1/reservations', {
      reservationId: 'q-1',
      unitId: 'res',
      amount: '1000000',
      useCase: 'chat',
      timeoutMs: 60_000,
    });
    expect(refused).toMatchObject({ status: 422, body: { code: 'QUOTA.EXCEEDED' } });
    let report: Refusals | undefined;
    await waitFor(
      async () => {
        const answer = await auditor.get<Refusals>(`/v1/budgets/${BUDGET}/refusals`);
        report = answer.body;
        return answer.status === 200 && answer.body.totals.count === 1;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: 'the refusal to be counted' },
    );
    expect(report).toMatchObject({
      totals: {
        count: 1,
        requested: '1000000',
        byReason: { 'QUOTA.EXCEEDED': 1 },
        byClass: { standard: 1 },
      },
      units: [{ unitId: 'res', count: 1, lastReason: 'QUOTA.EXCEEDED' }],
      blocked: [],
    });
    // The refused id was not recorded: it can be sent again (and is refused and counted again).
    expect((await admin.get('/v1/reservations/q-1')).status).toBe(404);
    // The instance's buffer is empty once flushed; only admin and auditor may look.
    expect(await auditor.get('/v1/admin/refusals')).toMatchObject({
      status: 200,
      body: { pendingKeys: 0, dropped: 0, lastFlushAt: expect.any(String), lastError: null },
    });
    expect((await manager.get('/v1/admin/refusals')).status).toBe(403);
    // A unit manager sees its own subtree only.
    const managed = await manager.get<Refusals>(`/v1/budgets/${BUDGET}/refusals`);
    expect(managed).toMatchObject({ status: 200, body: { totals: { count: 0 }, units: [] } });
    expect((await manager.get(`/v1/budgets/${BUDGET}/refusals?unitId=res`)).status).toBe(403);
    expect(await gateway.get(`/v1/budgets/${BUDGET}/refusals`)).toMatchObject({
      status: 403,
      body: { code: 'AUTH.FORBIDDEN' },
    });
  });

  it('refuses bad windows with their codes', async () => {
    const path = `/v1/budgets/${BUDGET}/refusals`;
    expect(await admin.get(`${path}?from=yesterday`)).toMatchObject({
      status: 400,
      body: { code: 'REQUEST.INVALID', details: { fields: [{ field: 'from' }] } },
    });
    expect((await admin.get(`${path}?bucket=week`)).body).toMatchObject({
      code: 'REQUEST.INVALID',
    });
    expect(
      await admin.get(`${path}?from=${MONTH}-02T00:00:00Z&to=${MONTH}-01T00:00:00Z`),
    ).toMatchObject({ status: 400, body: { code: 'COMMAND.INVALID', details: { field: 'from' } } });
    expect(
      await admin.get(`${path}?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&bucket=hour`),
    ).toMatchObject({ status: 400, body: { code: 'COMMAND.INVALID', details: { field: 'to' } } });
    expect((await admin.get('/v1/budgets/nope/refusals')).status).toBe(404);
  });

  it('documents both endpoints in the OpenAPI document', async () => {
    const document = await allocation.anonymous.get<{ paths: Record<string, unknown> }>(
      '/docs-json',
    );
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/budgets/{budgetId}/burn-down',
        '/v1/budgets/{budgetId}/refusals',
      ]),
    );
  });
});
