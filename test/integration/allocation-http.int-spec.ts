// The allocation service over real HTTP, as it is wired in production (definition, migrations,
// API keys, guard, filter), on real PostgreSQL and Kafka: a whole budget period from the unit
// tree to the close, who may do what, refusals that change nothing, and the OpenAPI document.
import {
  createKey,
  startAllocationTestService,
  type AllocationTestService,
  type Client,
} from './allocation-service';

jest.setTimeout(120_000);

const BUDGET = 'energy-lifecycle';
const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An answer's body where only its fields are compared. */
type Json = Record<string, unknown>;
interface TreeNode {
  unitId: string;
  children: TreeNode[];
}
interface FieldsRefusal {
  code: string;
  message: string;
  details: { fields: { field: string; errors: string[] }[] };
}
interface AllocatedUnit extends Json {
  unitId: string;
}
interface Allocation extends Json {
  amount: string;
  units: AllocatedUnit[];
}
interface Figures {
  allocated: string;
  reserved: string;
  committed: string;
  available: string;
  overrun: string;
}
interface BalanceRow extends Figures {
  unitId: string;
  closed: boolean;
  subtree?: Figures;
}
interface BudgetBalances extends Json {
  totals: Figures;
  units: BalanceRow[];
}
interface HistoryEvent extends Json {
  type: string;
  position: string;
}
interface History {
  events: HistoryEvent[];
  nextBefore: string | null;
}
interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  responses: Record<
    string,
    { content?: Record<string, { examples?: Record<string, { summary: string; value: Json }> }> }
  >;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Json> }> };
}

describe('allocation HTTP API (real service, PostgreSQL and Kafka)', () => {
  let allocation: AllocationTestService;
  let admin: Client;
  let auditor: Client;
  let gateway: Client;
  let retailManager: Client;
  let anonymous: Client;
  let retailManagerKeyId: string;
  let gatewayKeyId: string;
  let auditorKey: string;
  /** The ledger's last position once the first round is allocated, for asOf. */
  let positionAfterAllocation: string;
  let instantAfterAllocation: string;

  beforeAll(async () => {
    allocation = await startAllocationTestService('alloc_http');
    ({ admin, anonymous } = allocation);
    auditorKey = await createKey(admin, 'audit', 'auditor');
    const gatewayKey = await createKey(admin, 'gateway', 'service');
    auditor = allocation.client(auditorKey);
    gateway = allocation.client(gatewayKey);
    gatewayKeyId = gatewayKey.split('_')[1] as string;
    // The scope unit must exist before its key (SCOPE_VALIDATOR); created in the first test.
  });

  afterAll(async () => {
    await allocation?.close();
  });

  it('refuses callers without a valid key (401) and roles that may not write (403)', async () => {
    for (const caller of [anonymous, allocation.client('plf_nope')]) {
      const answer = await caller.get('/v1/budgets');
      expect(answer).toMatchObject({
        status: 401,
        body: { code: 'AUTH.UNAUTHENTICATED', message: expect.any(String), details: {} },
      });
    }
    const refused = await auditor.post('/v1/units', { unitId: 'acme', parentId: null, name: 'A' });
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'AUTH.FORBIDDEN', details: { role: 'auditor', required: ['admin'] } },
    });
    expect(await allocation.eventCount()).toBe(0);
  });

  it('builds the unit tree with versioned attributes', async () => {
    const attributes = (headcount: string) => ({
      effectiveFrom: '2020-01-01',
      values: { headcount },
    });
    const created = await admin.post('/v1/units', {
      unitId: 'acme',
      parentId: null,
      name: 'Acme',
      reason: 'set-up',
    });
    expect(created).toMatchObject({
      status: 201,
      body: { unitId: 'acme', parentId: null, name: 'Acme', archived: false },
    });
    for (const [unitId, parentId, headcount] of [
      ['retail', 'acme', '80'],
      ['corporate', 'acme', '40'],
      ['search', 'retail', '50'],
      ['checkout', 'retail', '30'],
    ] as const) {
      const answer = await admin.post('/v1/units', {
        unitId,
        parentId,
        name: unitId,
        attributes: attributes(headcount),
      });
      expect(answer.status).toBe(201);
    }
    expect((await admin.patch('/v1/units/search', { name: 'Search team' })).body).toMatchObject({
      unitId: 'search',
      name: 'Search team',
    });
    const attributesSet = await admin.put('/v1/units/checkout/attributes', {
      effectiveFrom: '2099-01-01',
      values: { headcount: '999' },
      reason: 'far future: not used by this period',
    });
    expect(attributesSet.body).toMatchObject({
      attributeVersions: [
        { effectiveFrom: '2020-01-01', values: { headcount: '30' } },
        { effectiveFrom: '2099-01-01', values: { headcount: '999' } },
      ],
    });
    // A temporary unit, moved then archived (nothing allocated to it).
    await admin.post('/v1/units', { unitId: 'lab', parentId: 'corporate', name: 'Lab' });
    expect((await admin.post('/v1/units/lab/move', { newParentId: 'retail' })).body).toMatchObject({
      unitId: 'lab',
      parentId: 'retail',
    });
    const cycle = await admin.post('/v1/units/retail/move', { newParentId: 'search' });
    expect(cycle).toMatchObject({ status: 422, body: { code: 'UNIT.CYCLE' } });
    expect((await admin.post('/v1/units/lab/archive', { reason: 'closed' })).body).toMatchObject({
      archived: true,
    });

    const tree = await auditor.get<Json>('/v1/units/acme');
    expect(tree.status).toBe(200);
    expect(tree.body).toMatchObject({
      unitId: 'acme',
      depth: 0,
      children: [
        {
          unitId: 'retail',
          children: [{ unitId: 'search', name: 'Search team' }, { unitId: 'checkout' }],
        },
        { unitId: 'corporate', children: [] },
      ],
    });
    const withArchived = await auditor.get<TreeNode>('/v1/units/retail?includeArchived=true');
    expect(withArchived.body.children.map((child) => child.unitId)).toEqual([
      'search',
      'checkout',
      'lab',
    ]);

    const managerKey = await createKey(admin, 'retail lead', 'unit_manager', 'retail');
    retailManager = allocation.client(managerKey);
    retailManagerKeyId = managerKey.split('_')[1] as string;
  });

  it('answers invalid requests with { code, message, details } and changes nothing', async () => {
    const before = await allocation.eventCount();
    const badUnit = await admin.post<FieldsRefusal>('/v1/units', {
      unitId: '',
      parentId: 7,
      nmae: 'typo',
    });
    expect(badUnit.status).toBe(400);
    expect(badUnit.body).toMatchObject({
      code: 'REQUEST.INVALID',
      message: expect.stringContaining('unitId'),
    });
    expect(badUnit.body.details.fields.map((field) => field.field).sort()).toEqual([
      'name',
      'nmae',
      'parentId',
      'unitId',
    ]);
    const badBudget = await admin.post<FieldsRefusal>('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'water',
      period: { kind: 'month', month: '2026-3' },
      ceiling: 1.5,
    });
    expect(badBudget.status).toBe(400);
    expect(badBudget.body.details.fields.map((field) => field.field).sort()).toEqual([
      'ceiling',
      'dimension',
      'period.month',
    ]);
    const malformed = await fetch(`${allocation.service.baseUrl}/v1/units`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${allocation.infrastructure.adminKey}`,
        'content-type': 'application/json',
      },
      body: '{"unitId": "x",',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'REQUEST.MALFORMED_JSON' });
    const badAsOf = await auditor.get('/v1/units/acme?asOf=2026-02-30T00:00:00Z');
    expect(badAsOf).toMatchObject({
      status: 400,
      body: { code: 'REQUEST.INVALID', details: { fields: [{ field: 'asOf' }] } },
    });
    const domainRefusal = await admin.post('/v1/units', {
      unitId: 'orphan',
      parentId: 'nowhere',
      name: 'Orphan',
    });
    expect(domainRefusal).toEqual(
      expect.objectContaining({
        status: 404,
        body: {
          code: 'UNIT.NOT_FOUND',
          message: 'unit "nowhere" not found',
          details: { unitId: 'nowhere' },
        },
      }),
    );
    const timeZone = await admin.post('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'month', month: '2026-03' },
      timeZone: 'Europe/Atlantis',
      ceiling: '1000',
    });
    expect(timeZone).toMatchObject({ status: 400, body: { code: 'BUDGET.TIME_ZONE_INVALID' } });
    expect(await allocation.eventCount()).toBe(before);
  });

  it('keeps a catalog of use cases in usefulness classes', async () => {
    const classes = await gateway.get<{ className: string }[]>('/v1/usefulness-classes');
    expect(classes.body.map((entry) => entry.className)).toEqual([
      'essential',
      'standard',
      'discretionary',
    ]);
    expect(
      (
        await admin.post('/v1/usefulness-classes', {
          className: 'experimental',
          description: 'Trials',
          rule: { kind: 'allowed', capShareBasisPoints: 1000 },
        })
      ).status,
    ).toBe(201);
    const ruleChanged = await admin.put('/v1/usefulness-classes/experimental/rule', {
      rule: { kind: 'prohibited' },
      reason: 'no trials this month',
    });
    expect(ruleChanged.body).toMatchObject({ rule: { kind: 'prohibited' } });
    for (const [useCase, className] of [
      ['support-triage', 'essential'],
      ['slide-polish', 'standard'],
      ['poem-generator', 'experimental'],
    ]) {
      expect(
        (await admin.post('/v1/use-cases', { useCase, className, description: useCase })).status,
      ).toBe(201);
    }
    expect(
      (await admin.post('/v1/use-cases/slide-polish/reclassify', { className: 'discretionary' }))
        .body,
    ).toMatchObject({ useCase: 'slide-polish', className: 'discretionary' });
    await admin.post('/v1/use-cases', {
      useCase: 'legacy',
      className: 'standard',
      description: 'x',
    });
    expect((await admin.post('/v1/use-cases/legacy/retire', {})).body).toMatchObject({
      retired: true,
    });
    const useCases = await retailManager.get<{ useCase: string }[]>('/v1/use-cases');
    expect(useCases.body.map((entry) => entry.useCase)).toEqual([
      'legacy',
      'poem-generator',
      'slide-polish',
      'support-triage',
    ]);
    expect(
      await admin.post('/v1/use-cases', { useCase: 'x', className: 'luxury', description: 'x' }),
    ).toMatchObject({ status: 404, body: { code: 'CATALOG.CLASS_NOT_FOUND' } });
  });

  const policies = {
    acme: {
      contingency: { basisPoints: 1000 },
      rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
    },
    retail: {
      rule: { kind: 'weights', components: [{ attribute: 'headcount', basisPoints: 10000 }] },
    },
  };

  it('opens a budget, previews with explanations, allocates and reads the round back', async () => {
    const now = Date.now();
    const opened = await admin.post<Json>('/v1/budgets', {
      budgetId: BUDGET,
      perimeterUnitId: 'acme',
      dimension: 'energy',
      period: { kind: 'range', startsOn: dateOf(now - DAY_MS), endsOn: dateOf(now + 2 * DAY_MS) },
      ceiling: '1200000',
      reason: 'lifecycle test',
    });
    expect(opened).toMatchObject({
      status: 201,
      body: { budgetId: BUDGET, status: 'open', ceiling: '1200000', allocated: '0', mode: 'hard' },
    });
    expect((await gateway.get<Json[]>('/v1/budgets?status=open')).body).toEqual([
      expect.objectContaining({ budgetId: BUDGET }),
    ]);
    expect((await retailManager.get(`/v1/budgets/${BUDGET}`)).status).toBe(200);

    const before = await allocation.eventCount();
    const preview = await auditor.post<Allocation>(`/v1/budgets/${BUDGET}/preview`, { policies });
    expect(preview.status).toBe(200);
    expect(await allocation.eventCount()).toBe(before);
    const parts = Object.fromEntries(preview.body.units.map((unit) => [unit.unitId, unit]));
    expect(preview.body.amount).toBe('1200000');
    expect(parts.acme).toMatchObject({ amount: '1200000', spendable: '120000' });
    expect(parts.retail).toMatchObject({
      amount: '720000',
      spendable: '0',
      explanation: {
        contributions: [
          {
            criterion: 'weight',
            attribute: 'headcount',
            weight: '80',
            totalWeight: '120',
            amount: '720000',
          },
        ],
        boundBy: null,
      },
    });
    expect(parts.corporate).toMatchObject({ amount: '360000', spendable: '360000' });
    expect(parts.search).toMatchObject({ amount: '450000', spendable: '450000' });
    expect(parts.checkout).toMatchObject({ amount: '270000', spendable: '270000' });

    const badPolicy = await admin.post(`/v1/budgets/${BUDGET}/preview`, {
      policies: { acme: { rule: { kind: 'weights', components: [] } } },
    });
    expect(badPolicy).toMatchObject({ status: 400, body: { code: 'ALLOCATION.POLICY_INVALID' } });
    expect((await gateway.post(`/v1/budgets/${BUDGET}/preview`, { policies })).status).toBe(403);

    const allocated = await admin.post<Allocation>(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-1',
      policies,
      reason: 'first round',
    });
    expect(allocated.status).toBe(201);
    expect(allocated.body).toMatchObject({ allocationId: 'round-1', amount: '1200000' });
    expect(allocated.body.units).toEqual(preview.body.units);
    const stored = await retailManager.get<Allocation>(`/v1/budgets/${BUDGET}/allocations/round-1`);
    expect(stored.body.units).toEqual(preview.body.units);
    expect((await admin.get(`/v1/budgets/${BUDGET}/allocations/round-9`)).body).toMatchObject({
      code: 'ALLOCATION.NOT_FOUND',
    });
    const more = await admin.post(`/v1/budgets/${BUDGET}/allocations`, {
      allocationId: 'round-2',
      policies,
      amount: '1',
    });
    expect(more).toMatchObject({
      status: 422,
      body: { code: 'BUDGET.ALLOCATION_EXCEEDS_CEILING' },
    });

    const leaf = await admin.post('/v1/units/checkout/archive', {});
    expect(leaf).toMatchObject({ status: 422, body: { code: 'UNIT.HAS_OPEN_ALLOCATIONS' } });

    positionAfterAllocation = (
      await allocation.infrastructure.pool.query<{ position: string }>(
        'SELECT max(global_position)::text AS position FROM allocation.events',
      )
    ).rows[0]?.position as string;
    instantAfterAllocation = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('reserves, commits and releases, never past what is available', async () => {
    const reserve = (body: Json, caller: Client = gateway) =>
      caller.post<Json>('/v1/reservations', {
        unitId: 'search',
        useCase: 'support-triage',
        timeoutMs: 600_000,
        ...body,
      });
    const granted = await reserve({ reservationId: 'job-1', amount: '100000' });
    expect(granted).toMatchObject({
      status: 201,
      body: {
        reservationId: 'job-1',
        budgetId: BUDGET,
        unitId: 'search',
        dimension: 'energy',
        usefulnessClass: 'essential',
        amount: '100000',
        status: 'pending',
        available: '350000',
      },
    });
    const retry = await reserve({ reservationId: 'job-1', amount: '100000' });
    expect(retry.body).toEqual(granted.body);
    expect(await reserve({ reservationId: 'job-1', amount: 99 })).toMatchObject({
      status: 409,
      body: { code: 'IDEMPOTENCY.CONFLICT' },
    });
    const tooMuch = await reserve({ reservationId: 'job-big', amount: '350001' });
    expect(tooMuch).toMatchObject({
      status: 422,
      body: { code: 'QUOTA.EXCEEDED', details: { available: '350000', requested: '350001' } },
    });
    expect(
      await reserve({ reservationId: 'job-poem', amount: 1, useCase: 'poem-generator' }),
    ).toMatchObject({ status: 422, body: { code: 'USECASE.PROHIBITED' } });

    const committed = await gateway.post<Json>('/v1/reservations/job-1/commit', {
      amount: '60000',
    });
    expect(committed).toMatchObject({
      status: 200,
      body: { status: 'committed', committedAmount: '60000', releasedAmount: '40000' },
    });
    expect((await gateway.post('/v1/reservations/job-1/commit', { amount: '60000' })).body).toEqual(
      committed.body,
    );
    expect(await gateway.post('/v1/reservations/job-1/release', {})).toMatchObject({
      status: 409,
      body: { code: 'RESERVATION.ALREADY_FINALISED' },
    });

    const second = await reserve({ reservationId: 'job-2', amount: 5000 }, retailManager);
    expect(second.status).toBe(201);
    expect(
      (await retailManager.post<Json>('/v1/reservations/job-2/release', {})).body,
    ).toMatchObject({ status: 'released', releasedAmount: '5000' });
    expect((await auditor.get<Json>('/v1/reservations/job-2')).body).toMatchObject({
      status: 'released',
    });
    expect(await gateway.get('/v1/reservations/job-404')).toMatchObject({
      status: 404,
      body: { code: 'RESERVATION.NOT_FOUND' },
    });
    expect((await auditor.post('/v1/reservations', { reservationId: 'a' })).status).toBe(403);
  });

  it('transfers unused quota within a unit manager’s subtree only', async () => {
    const transfer = (caller: Client, body: Json) =>
      caller.post<Json>(`/v1/budgets/${BUDGET}/transfers`, {
        amount: '20000',
        reason: 'Search re-index',
        ...body,
      });
    const moved = await transfer(retailManager, {
      transferId: 'tr-1',
      fromUnitId: 'checkout',
      toUnitId: 'search',
    });
    expect(moved).toMatchObject({
      status: 201,
      body: {
        transferId: 'tr-1',
        fromUnitId: 'checkout',
        toUnitId: 'search',
        amount: '20000',
        actor: `unit_manager:${retailManagerKeyId}`,
      },
    });
    const outside = await transfer(retailManager, {
      transferId: 'tr-2',
      fromUnitId: 'corporate',
      toUnitId: 'search',
    });
    expect(outside).toMatchObject({
      status: 403,
      body: {
        code: 'AUTH.FORBIDDEN',
        details: { scopeUnitId: 'retail', unitIds: ['corporate'] },
      },
    });
    expect(
      await transfer(admin, {
        transferId: 'tr-3',
        fromUnitId: 'checkout',
        toUnitId: 'search',
        amount: '9999999',
      }),
    ).toMatchObject({ status: 422, body: { code: 'TRANSFER.INSUFFICIENT_UNUSED' } });
    expect(
      (await transfer(gateway, { transferId: 't', fromUnitId: 'a', toUnitId: 'b' })).status,
    ).toBe(403);
  });

  it('lowers the ceiling only downwards, reclaiming unused quota when asked', async () => {
    const lower = (body: Json) => admin.post<Json>(`/v1/budgets/${BUDGET}/ceiling`, body);
    expect(await lower({ changeId: 'cut-0', ceiling: '1100000' })).toMatchObject({
      status: 422,
      body: { code: 'BUDGET.CEILING_BELOW_ALLOCATED' },
    });
    expect(await lower({ changeId: 'up-1', ceiling: '1300000' })).toMatchObject({
      status: 422,
      body: { code: 'BUDGET.CEILING_RAISE_FORBIDDEN' },
    });
    const lowered = await lower({
      changeId: 'cut-1',
      ceiling: '1100000',
      reclaimUnused: true,
      reason: 'grid operator asked for a cut',
    });
    expect(lowered).toMatchObject({
      status: 200,
      body: { ceiling: '1100000', allocated: '1100000' },
    });
  });

  it('answers balances rolled up the tree, now and as of the past', async () => {
    const report = await gateway.get<BudgetBalances>(`/v1/budgets/${BUDGET}/balances`);
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({
      allocated: '1100000',
      committed: '60000',
      reserved: '0',
      available: '1040000',
      overrun: '0',
    });
    const rows = Object.fromEntries(report.body.units.map((row) => [row.unitId, row]));
    expect(rows.acme?.subtree).toMatchObject({ allocated: '1100000', committed: '60000' });
    const search = await gateway.get<BalanceRow>(`/v1/budgets/${BUDGET}/units/search/balance`);
    expect(search.body).toMatchObject({ unitId: 'search', committed: '60000', reserved: '0' });
    expect(BigInt(search.body.allocated)).toBeLessThan(470_000n); // 450 000 + 20 000 − reclaim
    const own = await auditor.get<BalanceRow>(
      `/v1/budgets/${BUDGET}/units/retail/balance?rollUp=false`,
    );
    expect(own.body.subtree).toBeUndefined();

    for (const asOf of [`position:${positionAfterAllocation}`, instantAfterAllocation]) {
      const past = await auditor.get<Json>(
        `/v1/budgets/${BUDGET}/units/search/balance?asOf=${encodeURIComponent(asOf)}`,
      );
      expect(past.body).toMatchObject({
        allocated: '450000',
        committed: '0',
        reserved: '0',
        available: '450000',
      });
      const retailThen = await auditor.get<BalanceRow>(
        `/v1/budgets/${BUDGET}/units/retail/balance?asOf=${encodeURIComponent(asOf)}`,
      );
      expect(retailThen.body.subtree).toMatchObject({ allocated: '720000' });
    }
    const pastBudget = await auditor.get<Json>(
      `/v1/budgets/${BUDGET}?asOf=position:${positionAfterAllocation}`,
    );
    expect(pastBudget.body).toMatchObject({ ceiling: '1200000', allocated: '1200000' });

    const scoped = await retailManager.get<BudgetBalances>(`/v1/budgets/${BUDGET}/balances`);
    expect(scoped.body.units.map((row) => row.unitId)).toEqual(['retail', 'search', 'checkout']);
    expect(scoped.body.totals.allocated).toBe(rows.retail?.subtree?.allocated);
    expect((await retailManager.get(`/v1/budgets/${BUDGET}/units/corporate/balance`)).status).toBe(
      403,
    );
    expect((await retailManager.get('/v1/units/corporate')).status).toBe(403);
    expect((await retailManager.get('/v1/units/retail')).status).toBe(200);
    expect(
      (
        await retailManager.post('/v1/reservations', {
          reservationId: 'job-corp',
          unitId: 'corporate',
          amount: '1',
          useCase: 'support-triage',
          timeoutMs: 1000,
        })
      ).status,
    ).toBe(403);
  });

  it('tells a unit’s history with actor and reason', async () => {
    const history = await retailManager.get<History>('/v1/units/search/history?limit=100');
    expect(history.status).toBe(200);
    const events = history.body.events;
    const transferIn = events.find((event) => event.type === 'QuotaTransferredIn');
    expect(transferIn).toMatchObject({
      actor: `unit_manager:${retailManagerKeyId}`,
      reason: 'Search re-index',
    });
    expect(events.find((event) => event.type === 'ReservationCommitted')).toMatchObject({
      actor: `service:${gatewayKeyId}`,
    });
    expect(events.find((event) => event.type === 'UnitRenamed')).toMatchObject({
      actor: expect.stringMatching(/^admin:/),
    });
    const positions = events.map((event) => BigInt(event.position));
    expect([...positions].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(positions);
    const page = await auditor.get<History>('/v1/units/search/history?limit=2');
    expect(page.body.events).toHaveLength(2);
    const next = await auditor.get<History>(
      `/v1/units/search/history?limit=2&before=${page.body.nextBefore as string}`,
    );
    expect(next.body.events[0]?.position).toBe(events[2]?.position);
    expect((await retailManager.get('/v1/units/corporate/history')).status).toBe(403);
    expect((await gateway.get('/v1/units/search/history')).status).toBe(403);
  });

  it('closes the period: early only when asked, and no reservation after', async () => {
    expect(await admin.post(`/v1/budgets/${BUDGET}/close`, {})).toMatchObject({
      status: 422,
      body: { code: 'BUDGET.PERIOD_NOT_ENDED' },
    });
    const closed = await admin.post<Json>(`/v1/budgets/${BUDGET}/close`, {
      closeEarly: true,
      reason: 'test over',
    });
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed' } });
    const late = await gateway.post('/v1/reservations', {
      reservationId: 'job-late',
      unitId: 'search',
      budgetId: BUDGET,
      amount: '1',
      useCase: 'support-triage',
      timeoutMs: 1000,
    });
    expect(late).toMatchObject({ status: 422, body: { code: 'BUDGET.PERIOD_CLOSED' } });
    const balances = await auditor.get<BudgetBalances>(`/v1/budgets/${BUDGET}/balances`);
    expect(balances.body).toMatchObject({ status: 'closed' });
    expect(balances.body.units.every((row) => row.closed || row.allocated === '0')).toBe(true);
  });

  it('shows operations to admins and auditors only', async () => {
    const projections = await auditor.get<Json[]>('/v1/admin/projections');
    expect(projections.status).toBe(200);
    expect(projections.body[0]).toMatchObject({ state: expect.any(String) });
    expect((await auditor.get<Json>('/v1/admin/dead-letters')).body).toMatchObject({ items: [] });
    expect((await admin.get('/v1/admin/dead-letters/1')).status).toBe(404);
    expect((await admin.get<Json>('/v1/admin/messaging')).body).toMatchObject({
      deadLetters: { count: 0 },
    });
    expect((await gateway.get('/v1/admin/projections')).status).toBe(403);
    // The balance projection rebuilt from the ledger matches the live table; the chains verify.
    expect((await auditor.get<Json>('/v1/admin/replay')).body).toMatchObject({
      projection: 'unit-balances',
      match: true,
    });
    expect((await auditor.get<Json>('/v1/admin/ledger/verify')).body).toMatchObject({ ok: true });
    expect((await gateway.get('/v1/admin/replay')).status).toBe(403);
    expect((await gateway.get('/v1/admin/ledger/verify')).status).toBe(403);
    // The same key in its own header.
    expect((await anonymous.get('/v1/admin/projections', { 'x-api-key': auditorKey })).status).toBe(
      200,
    );
    expect((await retailManager.get('/v1/admin/dead-letters')).status).toBe(403);
  });

  it('documents every endpoint in OpenAPI with examples and error codes', async () => {
    const document = await anonymous.get<OpenApiDocument>('/docs-json');
    expect(document.status).toBe(200);
    const paths = document.body.paths;
    const expected: Record<string, string[]> = {
      '/v1/units': ['post'],
      '/v1/units/{unitId}': ['get', 'patch'],
      '/v1/units/{unitId}/move': ['post'],
      '/v1/units/{unitId}/archive': ['post'],
      '/v1/units/{unitId}/attributes': ['put'],
      '/v1/units/{unitId}/history': ['get'],
      '/v1/usefulness-classes': ['post', 'get'],
      '/v1/usefulness-classes/{className}/rule': ['put'],
      '/v1/use-cases': ['post', 'get'],
      '/v1/use-cases/{useCase}/reclassify': ['post'],
      '/v1/use-cases/{useCase}/retire': ['post'],
      '/v1/budgets': ['post', 'get'],
      '/v1/budgets/{budgetId}': ['get'],
      '/v1/budgets/{budgetId}/ceiling': ['post'],
      '/v1/budgets/{budgetId}/preview': ['post'],
      '/v1/budgets/{budgetId}/allocations': ['post'],
      '/v1/budgets/{budgetId}/allocations/{allocationId}': ['get'],
      '/v1/budgets/{budgetId}/transfers': ['post'],
      '/v1/budgets/{budgetId}/close': ['post'],
      '/v1/budgets/{budgetId}/balances': ['get'],
      '/v1/budgets/{budgetId}/units/{unitId}/balance': ['get'],
      '/v1/reservations': ['post'],
      '/v1/reservations/{reservationId}': ['get'],
      '/v1/reservations/{reservationId}/commit': ['post'],
      '/v1/reservations/{reservationId}/release': ['post'],
      '/v1/admin/dead-letters': ['get'],
      '/v1/admin/projections': ['get'],
      '/v1/admin/replay': ['get'],
      '/v1/admin/ledger/verify': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) {
        const operation = paths[path]?.[method];
        expect({ path, method, summary: operation?.summary }).toEqual({
          path,
          method,
          summary: expect.any(String),
        });
        const responses = operation?.responses ?? {};
        const success = Object.keys(responses).find((status) => status.startsWith('2'));
        expect({ path, method, success }).toEqual({ path, method, success: expect.any(String) });
        for (const status of ['400', '401', '403']) {
          const examples = responses[status]?.content?.['application/json']?.examples;
          expect({
            path,
            method,
            status,
            examples: Object.keys(examples ?? {}).length > 0,
          }).toEqual({ path, method, status, examples: true });
        }
        expect(operation?.description).toMatch(/Roles:/);
        expect(operation?.security?.length ?? 0).toBeGreaterThan(0);
      }
    }
    const reserve = paths['/v1/reservations']?.post;
    expect(
      reserve?.responses['422']?.content?.['application/json']?.examples?.['QUOTA.EXCEEDED'],
    ).toEqual({
      summary: 'QUOTA.EXCEEDED',
      value: {
        code: 'QUOTA.EXCEEDED',
        message: expect.any(String),
        details: expect.objectContaining({ available: expect.any(String) }),
      },
    });
    const schemas = document.body.components.schemas;
    expect(schemas.ReserveBody?.properties?.amount).toMatchObject({ example: '5000000' });
    expect(schemas.ReservationView?.properties?.available).toMatchObject({ type: 'string' });
  });
});
