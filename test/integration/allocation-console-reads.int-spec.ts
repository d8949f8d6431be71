// What the web console reads from allocation, over real HTTP on real PostgreSQL and Kafka:
// `GET /v1/auth/self` per role, the list of a budget's allocation rounds, the budget's own
// history, and what-if previews with attributeOverrides (computed by hand, nothing written).
import {
  createKey,
  startAllocationTestService,
  type AllocationTestService,
  type Client,
} from './allocation-service';

jest.setTimeout(120_000);

const BUDGET = 'console-energy';
const MONTH = new Date().toISOString().slice(0, 7);

interface Permission {
  method: string;
  path: string;
}
interface Self {
  service: string;
  keyId: string;
  name: string;
  role: string;
  scopeUnitId: string | null;
  permissions: Permission[];
}
interface Contribution {
  criterion: string;
  attribute?: string;
  weight?: string;
  totalWeight?: string;
  amount: string;
}
interface PreviewUnit {
  unitId: string;
  amount: string;
  explanation: { contributions: Contribution[]; boundBy: string | null } | null;
}
interface Preview {
  amount: string;
  units: PreviewUnit[];
}
interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}
interface HistoryPage {
  budgetId: string;
  nextBefore: string | null;
  events: { type: string; position: string; actor: string | null; reason: string | null }[];
}

const WEIGHTS_POLICY = {
  acme: { rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] } },
};

describe('console reads on allocation (real service, PostgreSQL and Kafka)', () => {
  let allocation: AllocationTestService;
  let admin: Client;
  let auditor: Client;
  let manager: Client;
  let anonymous: Client;
  let adminKeyId: string;

  const units = (preview: Preview) =>
    Object.fromEntries(preview.units.map((unit) => [unit.unitId, unit.amount]));

  beforeAll(async () => {
    allocation = await startAllocationTestService('alloc_console');
    ({ admin, anonymous } = allocation);
    adminKeyId = allocation.infrastructure.adminKey.split('_')[1] as string;
    auditor = await allocation.clientWithNewKey('audit', 'auditor');
    const attributes = (headcount: string) => ({
      effectiveFrom: '2020-01-01',
      values: { headcount },
    });
    for (const unit of [
      { unitId: 'acme', parentId: null, name: 'Acme' },
      { unitId: 'search', parentId: 'acme', name: 'Search', attributes: attributes('30') },
      { unitId: 'ads', parentId: 'acme', name: 'Ads', attributes: attributes('10') },
      { unitId: 'other-root', parentId: null, name: 'Elsewhere' },
    ]) {
      expect((await admin.post('/v1/units', unit)).status).toBe(201);
    }
    manager = await allocation.clientWithNewKey('search lead', 'unit_manager', 'search');
    const opened = await admin.post('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'month', month: MONTH },
      ceiling: '1000000',
      reason: 'console test',
    });
    expect(opened.status).toBe(201);
  });

  afterAll(async () => {
    await allocation?.close();
  });

  describe('GET /v1/auth/self', () => {
    it('tells an admin who it is and lists every guarded route, never public ones', async () => {
      const answer = await admin.get<Self>('/v1/auth/self');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toMatchObject({
        service: 'allocation',
        keyId: adminKeyId,
        name: 'bootstrap-admin',
        role: 'admin',
        scopeUnitId: null,
      });
      const listed = answer.body.permissions;
      expect(listed).toEqual(
        expect.arrayContaining([
          { method: 'POST', path: '/v1/budgets' },
          { method: 'POST', path: '/v1/budgets/{budgetId}/allocations' },
          { method: 'GET', path: '/v1/budgets/{budgetId}/history' },
          { method: 'POST', path: '/v1/api-keys' },
          { method: 'GET', path: '/v1/auth/self' },
        ]),
      );
      expect(listed.some((route) => route.path.startsWith('/health'))).toBe(false);
      const sorted = [...listed].sort((a, b) =>
        a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1,
      );
      expect(listed).toEqual(sorted);
    });

    it('lists for an auditor what the guard lets it call, and only that', async () => {
      const answer = await auditor.get<Self>('/v1/auth/self');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ role: 'auditor', scopeUnitId: null, name: 'audit' });
      const listed = answer.body.permissions;
      expect(listed).toContainEqual({ method: 'GET', path: '/v1/budgets/{budgetId}/history' });
      expect(listed).toContainEqual({ method: 'POST', path: '/v1/budgets/{budgetId}/preview' });
      expect(listed).not.toContainEqual({ method: 'POST', path: '/v1/budgets' });
      expect(listed).not.toContainEqual({ method: 'POST', path: '/v1/api-keys' });
      // What it lists is what the guard does: a listed read answers, an unlisted write is 403.
      expect((await auditor.get(`/v1/budgets/${BUDGET}/history`)).status).toBe(200);
      expect((await auditor.post('/v1/budgets', {})).status).toBe(403);
    });

    it('gives a unit manager its scope unit and its own routes', async () => {
      const answer = await manager.get<Self>('/v1/auth/self');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ role: 'unit_manager', scopeUnitId: 'search' });
      expect(answer.body.permissions).toContainEqual({
        method: 'POST',
        path: '/v1/budgets/{budgetId}/transfers',
      });
      expect(answer.body.permissions).not.toContainEqual({
        method: 'GET',
        path: '/v1/budgets/{budgetId}/history',
      });
    });

    it('answers 401 without a key and for a revoked key', async () => {
      const none = await anonymous.get<Refusal>('/v1/auth/self');
      expect(none).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
      const key = await createKey(admin, 'soon gone', 'service');
      const gone = allocation.client(key);
      expect((await gone.get('/v1/auth/self')).status).toBe(200);
      expect((await admin.delete(`/v1/api-keys/${key.split('_')[1] as string}`)).status).toBe(200);
      const revoked = await gone.get<Refusal>('/v1/auth/self');
      expect(revoked).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
    });
  });

  describe('what-if previews (attributeOverrides)', () => {
    it('splits by the overridden weights, explains them, and writes nothing', async () => {
      const before = await allocation.eventCount();
      const plain = await auditor.post<Preview>(`/v1/budgets/${BUDGET}/preview`, {
        policies: WEIGHTS_POLICY,
      });
      expect(plain.status).toBe(200);
      // 30 : 10 of 1 000 000.
      expect(units(plain.body)).toMatchObject({ search: '750000', ads: '250000' });

      const whatIf = await auditor.post<Preview>(`/v1/budgets/${BUDGET}/preview`, {
        policies: WEIGHTS_POLICY,
        attributeOverrides: { ads: { headcount: '12.5' }, search: { headcount: '37.5' } },
      });
      expect(whatIf.status).toBe(200);
      // 37.5 : 12.5 = 3 : 1 of 1 000 000 — and 12.5 / 50 = 1/4 exactly.
      expect(units(whatIf.body)).toMatchObject({ search: '750000', ads: '250000' });
      const ads = whatIf.body.units.find((unit) => unit.unitId === 'ads');
      expect(ads?.explanation?.contributions).toEqual([
        expect.objectContaining({ criterion: 'weight', attribute: 'headcount', amount: '250000' }),
      ]);

      const shifted = await admin.post<Preview>(`/v1/budgets/${BUDGET}/preview`, {
        policies: WEIGHTS_POLICY,
        amount: '999',
        attributeOverrides: { ads: { headcount: '20' } },
      });
      expect(shifted.status).toBe(200);
      // 30 : 20 of 999 → 599.4 and 399.6; the largest remainder (0.6) goes to ads.
      expect(units(shifted.body)).toMatchObject({ search: '599', ads: '400' });
      const adsShifted = shifted.body.units.find((unit) => unit.unitId === 'ads');
      expect(adsShifted?.explanation?.contributions[0]).toMatchObject({
        weight: '20',
        totalWeight: '50',
        amount: '400',
        roundedUp: true,
      });
      expect(await allocation.eventCount()).toBe(before);
      // The units' own attributes are unchanged: the plain preview answers as before.
      const again = await auditor.post<Preview>(`/v1/budgets/${BUDGET}/preview`, {
        policies: WEIGHTS_POLICY,
      });
      expect(units(again.body)).toEqual(units(plain.body));
    });

    it('refuses a unit outside the perimeter, a bad weight or name with 400, writing nothing', async () => {
      const before = await allocation.eventCount();
      const cases: { overrides: unknown; field: string }[] = [
        { overrides: { 'other-root': { headcount: '5' } }, field: 'attributeOverrides.other-root' },
        { overrides: { ghost: { headcount: '5' } }, field: 'attributeOverrides.ghost' },
        { overrides: { ads: { headcount: '-1' } }, field: 'attributeOverrides.ads.headcount' },
        { overrides: { ads: { headcount: 7 } }, field: 'attributeOverrides.ads.headcount' },
        { overrides: { ads: { ' padded': '1' } }, field: 'attributeOverrides.ads' },
        { overrides: { ads: 'many' }, field: 'attributeOverrides.ads' },
      ];
      for (const { overrides, field } of cases) {
        const answer = await auditor.post<Refusal>(`/v1/budgets/${BUDGET}/preview`, {
          policies: WEIGHTS_POLICY,
          attributeOverrides: overrides,
        });
        expect({ overrides, status: answer.status, body: answer.body }).toMatchObject({
          status: 400,
          body: { code: 'COMMAND.INVALID', details: { field } },
        });
      }
      const notObject = await auditor.post<Refusal>(`/v1/budgets/${BUDGET}/preview`, {
        policies: WEIGHTS_POLICY,
        attributeOverrides: ['ads'],
      });
      expect(notObject).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
      expect(await allocation.eventCount()).toBe(before);
    });

    it('refuses attributeOverrides on a real allocation (400, nothing allocated)', async () => {
      const before = await allocation.eventCount();
      const answer = await admin.post<Refusal>(`/v1/budgets/${BUDGET}/allocations`, {
        allocationId: 'what-if',
        policies: WEIGHTS_POLICY,
        attributeOverrides: { ads: { headcount: '20' } },
      });
      expect(answer).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
      expect(await allocation.eventCount()).toBe(before);
    });
  });

  describe('allocation rounds and the budget history', () => {
    it('lists the rounds oldest first with actor and reason, to every reading role', async () => {
      const empty = await manager.get(`/v1/budgets/${BUDGET}/allocations`);
      expect(empty).toMatchObject({ status: 200, body: { budgetId: BUDGET, items: [] } });
      for (const [allocationId, amount] of [
        ['round-1', '600000'],
        ['round-2', '100000'],
      ] as const) {
        const made = await admin.post(`/v1/budgets/${BUDGET}/allocations`, {
          allocationId,
          amount,
          policies: WEIGHTS_POLICY,
          reason: `console ${allocationId}`,
        });
        expect(made.status).toBe(201);
      }
      const listed = await manager.get<{ items: Record<string, unknown>[] }>(
        `/v1/budgets/${BUDGET}/allocations`,
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        {
          allocationId: 'round-1',
          amount: '600000',
          actor: `admin:${adminKeyId}`,
          reason: 'console round-1',
          occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        expect.objectContaining({ allocationId: 'round-2', amount: '100000' }),
      ]);
      const missing = await auditor.get<Refusal>('/v1/budgets/nope/allocations');
      expect(missing).toMatchObject({ status: 404, body: { code: 'BUDGET.NOT_FOUND' } });
    });

    it('pages through the budget stream newest first (admin, auditor; 403 otherwise)', async () => {
      const all = await auditor.get<HistoryPage>(`/v1/budgets/${BUDGET}/history`);
      expect(all.status).toBe(200);
      expect(all.body.budgetId).toBe(BUDGET);
      expect(all.body.nextBefore).toBeNull();
      expect(all.body.events.map((event) => event.type)).toEqual([
        'UnitsAllocated',
        'BudgetAllocated',
        'UnitsAllocated',
        'BudgetAllocated',
        'BudgetOpened',
      ]);
      expect(all.body.events.at(-1)).toMatchObject({
        actor: `admin:${adminKeyId}`,
        reason: 'console test',
      });
      const first = await admin.get<HistoryPage>(`/v1/budgets/${BUDGET}/history?limit=2`);
      expect(first.body.events.map((event) => event.position)).toEqual(
        all.body.events.slice(0, 2).map((event) => event.position),
      );
      expect(first.body.nextBefore).toBe(all.body.events[1]?.position);
      const rest = await admin.get<HistoryPage>(
        `/v1/budgets/${BUDGET}/history?limit=10&before=${first.body.nextBefore as string}`,
      );
      expect(rest.body.events).toEqual(all.body.events.slice(2));
      expect(rest.body.nextBefore).toBeNull();

      expect((await manager.get(`/v1/budgets/${BUDGET}/history`)).status).toBe(403);
      const missing = await auditor.get<Refusal>('/v1/budgets/nope/history');
      expect(missing).toMatchObject({ status: 404, body: { code: 'BUDGET.NOT_FOUND' } });
      const badLimit = await auditor.get<Refusal>(`/v1/budgets/${BUDGET}/history?limit=0`);
      expect(badLimit).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    });

    it('previews a round as if a stored one were not there (replacing), writing nothing', async () => {
      const before = await allocation.eventCount();
      const preview = (body: Record<string, unknown>) =>
        auditor.post<Preview & Refusal>(`/v1/budgets/${BUDGET}/preview`, {
          policies: WEIGHTS_POLICY,
          ...body,
        });
      // 700 000 of 1 000 000 allocated: 900 000 more would pass the ceiling…
      expect(await preview({ amount: '900000' })).toMatchObject({
        status: 422,
        body: { code: 'BUDGET.ALLOCATION_EXCEEDS_CEILING' },
      });
      // …but not in place of round-1 (600 000): 100 000 + 900 000 = the ceiling.
      const instead = await preview({ amount: '900000', replacing: 'round-1' });
      expect(instead.status).toBe(200);
      expect(instead.body.amount).toBe('900000');
      expect(units(instead.body)).toMatchObject({ search: '675000', ads: '225000' });
      // Without an amount, the replaced round's; with what-if weights too.
      const same = await preview({
        replacing: 'round-1',
        attributeOverrides: { ads: { headcount: '30' } },
      });
      expect(same.status).toBe(200);
      expect(same.body.amount).toBe('600000');
      expect(units(same.body)).toMatchObject({ search: '300000', ads: '300000' });
      expect(await preview({ amount: '900001', replacing: 'round-1' })).toMatchObject({
        status: 422,
        body: { code: 'BUDGET.ALLOCATION_EXCEEDS_CEILING' },
      });
      expect(await preview({ replacing: 'round-9' })).toMatchObject({
        status: 404,
        body: { code: 'ALLOCATION.NOT_FOUND', details: { allocationId: 'round-9' } },
      });
      expect(await preview({ replacing: '' })).toMatchObject({
        status: 400,
        body: { code: 'REQUEST.INVALID' },
      });
      const allocated = await admin.post<Refusal>(`/v1/budgets/${BUDGET}/allocations`, {
        allocationId: 'round-3',
        amount: '1000',
        policies: WEIGHTS_POLICY,
        replacing: 'round-1',
      });
      expect(allocated).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
      expect(await allocation.eventCount()).toBe(before);
    });
  });
});
