// The billing service over real HTTP, as it is wired in production (definition, migrations, API
// keys, guard, filter), on real PostgreSQL: who may do what, price schedules and their refusals,
// profiles, charges and statements, a period close with its invoices, late usage as an
// adjustment, the journal export (CSV and JSON), reconciliation, the rebound report, replay, and
// the OpenAPI document. Usage gets in through the service's own UsageCharging (what the
// usage.recorded consumer calls), in a ledger transaction, and once through Kafka to prove the
// messaging edge is wired.
import { JOURNAL_CSV_COLUMNS, parseCsv } from '../../apps/billing/src/domain/csv';
import { periodBounds, periodOf, previousPeriod } from '../../apps/billing/src/domain/periods';
import {
  ALLOCATION_EVENT_TYPES_V1,
  ALLOCATION_EVENTS_SOURCE,
  createCloudEvent,
  INGESTION_EVENTS_SOURCE,
  USAGE_RECORDED_V1_TYPE,
  type UsageRecordedV1Json,
} from '@plafond/contracts';
import { waitFor } from '@plafond/testing';
import {
  client,
  createKey,
  prepareBillingInfrastructure,
  publishToKafka,
  recordUsage,
  startBillingInProcess,
  teachDirectory,
  type BillingInfrastructure,
  type Client,
  type InProcessBilling,
  type TestUsage,
} from './billing-service';
import { ERROR_EXAMPLES } from '../../apps/billing/src/http/openapi-errors';

jest.setTimeout(120_000);

type Json = Record<string, unknown>;
interface Refusal {
  code: string;
  message: string;
  details: Json & { issues?: { path: string; code: string; message: string }[] };
}
interface Invoice extends Json {
  invoiceNumber: string;
  unitId: string;
  totalMicro: string;
  total: string;
}
interface CloseAnswer {
  period: Json & { invoiceCount: number; firstInvoice: string; lastInvoice: string };
  invoices: Invoice[];
}
interface OpenApiOperation {
  summary?: string;
  responses: Record<
    string,
    { content?: Record<string, { examples?: Record<string, { value: Json }> }> }
  >;
}

/** The refusal has the shape OpenAPI documents for its code: the same `details` keys. */
function expectDocumented(refusal: Refusal): void {
  const example = ERROR_EXAMPLES[refusal.code];
  expect({ code: refusal.code, keys: Object.keys(refusal.details).sort() }).toEqual({
    code: refusal.code,
    keys: Object.keys(example?.details ?? { undocumented: true }).sort(),
  });
}

/** "0.113751" → 113751n (the CSV's 6-decimal amounts, exact). */
const micro = (display: string): bigint => BigInt(display.replace('.', ''));

// Periods relative to today: P has ended and is closed by the test; C (the current month) has not.
const C = periodOf(new Date());
const P = previousPeriod(C);
const PP = previousPeriod(P);
const PPP = previousPeriod(PP);
const at = (period: string, day: number) =>
  new Date(
    periodBounds(period).startsAt.getTime() + (day - 1) * 86_400_000 + 3_600_000,
  ).toISOString();

const SCHEDULE = {
  currency: 'EUR',
  effectiveFrom: periodBounds(PP).startsAt.toISOString(),
  carbonPricePerTonne: '85.00',
  energyPricePerKwh: '0.02',
  classMultipliers: { essential: '1', discretionary: '2' },
  defaultMultiplier: '1',
  overrunTiers: [{ fromPercentOfAllocation: '0', surchargePercent: '25' }],
  reason: 'internal carbon price',
};

// Hand-computed: energy µWh × 20 000 / 10^9 + carbon µg × 85 000 000 / 10^12, × class multiplier,
// rounded once half away from zero.
const USAGE: Record<string, TestUsage> = {
  // PP, team-search, essential: 20 000 + 25 500 = 45 500
  previous: {
    id: 'u-prev',
    unitId: 'team-search',
    useCase: 'support-triage',
    occurredAt: at(PP, 10),
    requests: 10n,
    energyMicroWh: 1_000_000_000n,
    carbonMicroGrams: 300_000_000n,
  },
  // P, team-search, essential: 30 000 + 38 250 = 68 250
  search: {
    id: 'u-search',
    unitId: 'team-search',
    useCase: 'support-triage',
    occurredAt: at(P, 3),
    requests: 20n,
    energyMicroWh: 1_500_000_000n,
    carbonMicroGrams: 450_000_000n,
  },
  // P, team-search: 25 000 µWh × 20 000 / 10^9 = 0.5 → 1 (half away from zero)
  rounding: {
    id: 'u-round',
    unitId: 'team-search',
    useCase: 'support-triage',
    occurredAt: at(P, 4),
    requests: 1n,
    energyMicroWh: 25_000n,
    carbonMicroGrams: 0n,
  },
  // P, bu-corporate, discretionary ×2: (10 000 + 12 750) × 2 = 45 500
  corporate: {
    id: 'u-corp',
    unitId: 'bu-corporate',
    useCase: 'slide-polish',
    occurredAt: at(P, 5),
    requests: 5n,
    energyMicroWh: 500_000_000n,
    carbonMicroGrams: 150_000_000n,
  },
  // P again, after P is closed: 2 000, billed in C, adjusting team-search's invoice
  late: {
    id: 'u-late',
    unitId: 'team-search',
    useCase: 'support-triage',
    occurredAt: at(P, 20),
    requests: 2n,
    energyMicroWh: 100_000_000n,
    carbonMicroGrams: 0n,
  },
  // PPP: no schedule effective yet → held unpriced
  unpriced: {
    id: 'u-early',
    unitId: 'team-search',
    useCase: 'support-triage',
    occurredAt: at(PPP, 2),
    requests: 1n,
    energyMicroWh: 1_000n,
    carbonMicroGrams: 1_000n,
  },
};

describe('billing HTTP API (real service and PostgreSQL)', () => {
  let infrastructure: BillingInfrastructure;
  let service: InProcessBilling;
  let admin: Client;
  let finance: Client;
  let auditor: Client;
  let retailManager: Client;
  let anonymous: Client;

  beforeAll(async () => {
    infrastructure = await prepareBillingInfrastructure('billing_http');
    service = await startBillingInProcess(infrastructure);
    admin = client(service.baseUrl, infrastructure.adminKey);
    anonymous = client(service.baseUrl);
    await teachDirectory(
      service,
      [
        { unitId: 'acme', parentId: null, name: 'ACME' },
        { unitId: 'bu-retail', parentId: 'acme', name: 'Retail' },
        { unitId: 'team-search', parentId: 'bu-retail', name: 'Search' },
        { unitId: 'bu-corporate', parentId: 'acme', name: 'Corporate' },
      ],
      [
        { useCase: 'support-triage', className: 'essential' },
        { useCase: 'slide-polish', className: 'discretionary' },
      ],
    );
    finance = client(service.baseUrl, await createKey(admin, 'controller', 'finance'));
    auditor = client(service.baseUrl, await createKey(admin, 'audit', 'auditor'));
    retailManager = client(
      service.baseUrl,
      await createKey(admin, 'retail', 'unit_manager', 'bu-retail'),
    );
  });

  afterAll(async () => {
    await service?.close();
    await infrastructure?.close();
  });

  it('refuses callers without a valid key (401) and a scope on an unknown unit (404)', async () => {
    for (const caller of [anonymous, client(service.baseUrl, 'plf_nope')]) {
      const answer = await caller.get('/v1/price-schedules');
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    }
    const ghost = await admin.post('/v1/api-keys', {
      name: 'ghost',
      role: 'unit_manager',
      scopeUnitId: 'team-ghost',
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body).toMatchObject({
      code: 'BILLING.UNIT_NOT_FOUND',
      details: { unitId: 'team-ghost' },
    });
  });

  it('reports every problem of a schedule at once (400 BILLING.INVALID_SCHEDULE)', async () => {
    const answer = await finance.post<Refusal>('/v1/price-schedules', {
      currency: 'euro',
      effectiveFrom: 'yesterday',
      carbonPricePerTonne: '85.1234567',
      overrunTiers: [{ fromPercentOfAllocation: '10', surchargePercent: '25' }],
      colour: 'green',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('BILLING.INVALID_SCHEDULE');
    const issues = answer.body.details.issues ?? [];
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['currency', 'effectiveFrom', 'carbonPricePerTonne', 'colour']),
    );
    expect(issues.map((issue) => issue.code)).toEqual(
      expect.arrayContaining([
        'SCHEDULE.INVALID_CURRENCY',
        'SCHEDULE.INVALID_INSTANT',
        'SCHEDULE.UNKNOWN_FIELD',
        'SCHEDULE.FIRST_TIER_NOT_ZERO',
      ]),
    );
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
    expect((await finance.get<Json[]>('/v1/price-schedules')).body).toEqual([]);
  });

  it('lets finance publish a schedule (display decimals) and refuses one not after the latest', async () => {
    for (const caller of [auditor, retailManager]) {
      const refused = await caller.post<Refusal>('/v1/price-schedules', SCHEDULE);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('AUTH.FORBIDDEN');
    }
    const published = await finance.post<{ schedule: Json; pricedHeldUsage: number }>(
      '/v1/price-schedules',
      SCHEDULE,
    );
    expect(published.status).toBe(201);
    expect(published.body).toEqual({
      pricedHeldUsage: 0,
      schedule: {
        currency: 'EUR',
        version: 1,
        effectiveFrom: SCHEDULE.effectiveFrom,
        carbonPricePerTonne: '85.000000',
        carbonPricePerTonneMicro: '85000000',
        energyPricePerKwh: '0.020000',
        energyPricePerKwhMicro: '20000',
        classMultipliers: { essential: '1.000000', discretionary: '2.000000' },
        classMultipliersPpm: { essential: '1000000', discretionary: '2000000' },
        defaultMultiplier: '1.000000',
        defaultMultiplierPpm: '1000000',
        overrunTiers: [
          {
            fromPercentOfAllocation: '0.0000',
            surchargePercent: '25.0000',
            fromShareOfAllocationPpm: '0',
            surchargePpm: '250000',
          },
        ],
        reason: 'internal carbon price',
      },
    });
    const again = await finance.post<Refusal>('/v1/price-schedules', SCHEDULE);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('BILLING.SCHEDULE_NOT_AFTER_LATEST');
    expectDocumented(again.body);

    const list = await retailManager.get<Json[]>('/v1/price-schedules?currency=EUR');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect((await auditor.get('/v1/price-schedules/EUR/versions/1')).body).toMatchObject({
      version: 1,
    });
    const missing = await auditor.get<Refusal>('/v1/price-schedules/EUR/versions/9');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('BILLING.SCHEDULE_NOT_FOUND');
    expectDocumented(missing.body);
    const effective = await auditor.get(`/v1/price-schedules/EUR/effective?at=${at(P, 2)}`);
    expect(effective.body).toMatchObject({ version: 1, carbonPricePerTonne: '85.000000' });
    const before = await auditor.get<Refusal>(`/v1/price-schedules/EUR/effective?at=${at(PPP, 2)}`);
    expect(before.status).toBe(404);
    const badInstant = await auditor.get<Refusal>(
      '/v1/price-schedules/EUR/effective?at=2026-02-30T00:00:00Z',
    );
    expect(badInstant.status).toBe(400);
    expect(badInstant.body.code).toBe('BILLING.INVALID_QUERY');
    const badCurrency = await auditor.get<Refusal>('/v1/price-schedules/eur/versions/1');
    expect(badCurrency.status).toBe(400);
    expect(badCurrency.body.code).toBe('REQUEST.INVALID');
  });

  it('sets billing profiles (finance) that descendants inherit; unit managers read their subtree', async () => {
    const refused = await auditor.put<Refusal>('/v1/billing-profiles/bu-retail', {
      currency: 'EUR',
      costCentre: 'CC-4100-RETAIL',
    });
    expect(refused.status).toBe(403);
    const invalid = await finance.put<Refusal>('/v1/billing-profiles/bu-retail', {
      currency: 'eur',
      costCentre: '',
      extra: 1,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('BILLING.INVALID_PROFILE');
    expect(invalid.body.details.issues?.length).toBeGreaterThanOrEqual(3);
    // A unit billing does not know gets no profile (the ledger would keep it for ever).
    const ghost = await finance.put<Refusal>('/v1/billing-profiles/team-ghost', {
      currency: 'EUR',
      costCentre: 'CC-GHOST',
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body).toMatchObject({
      code: 'BILLING.UNIT_NOT_FOUND',
      details: { unitId: 'team-ghost' },
    });
    expectDocumented(ghost.body);
    expect((await finance.get('/v1/billing-profiles/team-ghost')).status).toBe(404);
    const set = await finance.put('/v1/billing-profiles/bu-retail', {
      currency: 'EUR',
      costCentre: 'CC-4100-RETAIL',
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      unitId: 'bu-retail',
      currency: 'EUR',
      costCentre: 'CC-4100-RETAIL',
    });

    const inherited = await retailManager.get('/v1/billing-profiles/team-search');
    expect(inherited.status).toBe(200);
    expect(inherited.body).toMatchObject({
      unitId: 'team-search',
      own: null,
      effective: { currency: 'EUR', costCentre: 'CC-4100-RETAIL', inheritedFrom: 'bu-retail' },
    });
    const outside = await retailManager.get<Refusal>('/v1/billing-profiles/bu-corporate');
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({
      code: 'AUTH.FORBIDDEN',
      details: { scopeUnitId: 'bu-retail', unitIds: ['bu-corporate'] },
    });
  });

  it('charges recorded usage exactly and shows it in statements rolled up the tree', async () => {
    expect(await recordUsage(service, USAGE.previous as TestUsage)).toBe('charged');
    expect(await recordUsage(service, USAGE.search as TestUsage)).toBe('charged');
    expect(await recordUsage(service, USAGE.rounding as TestUsage)).toBe('charged');
    expect(await recordUsage(service, USAGE.corporate as TestUsage)).toBe('charged');
    expect(await recordUsage(service, USAGE.search as TestUsage)).toBe('duplicate');
    expect(await recordUsage(service, USAGE.unpriced as TestUsage)).toBe('unpriced');

    const statement = await retailManager.get<{
      status: string;
      currencies: { currency: string; totalMicro: string; total: string; groups: Json[] }[];
      tree: { unitId: string; own: Json; subtree: Json }[];
    }>(`/v1/units/bu-retail/statement?period=${P}`);
    expect(statement.status).toBe(200);
    expect(statement.body.status).toBe('open');
    expect(statement.body.currencies).toEqual([
      expect.objectContaining({ currency: 'EUR', totalMicro: '68251', total: '0.068251' }),
    ]);
    expect(statement.body.currencies[0]?.groups).toEqual([
      expect.objectContaining({
        usefulnessClass: 'essential',
        kind: 'usage',
        lines: 2,
        requests: '21',
        energyMicroWh: '1500025000',
        amountMicro: '68251',
        amount: '0.068251',
      }),
    ]);
    expect(statement.body.tree).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitId: 'bu-retail', own: {}, subtree: { EUR: '68251' } }),
        expect.objectContaining({ unitId: 'team-search', own: { EUR: '68251' } }),
      ]),
    );
    const company = await auditor.get<{ currencies: Json[] }>(
      `/v1/units/acme/statement?period=${P}`,
    );
    expect(company.body.currencies).toEqual([
      expect.objectContaining({ currency: 'EUR', totalMicro: '113751', total: '0.113751' }),
    ]);
    const own = await auditor.get<{ currencies: Json[] }>(
      `/v1/units/acme/statement?period=${P}&includeDescendants=false`,
    );
    expect(own.body.currencies).toEqual([]);

    const outside = await retailManager.get<Refusal>(
      `/v1/units/bu-corporate/statement?period=${P}`,
    );
    expect(outside.status).toBe(403);
    const badPeriod = await auditor.get<Refusal>('/v1/units/acme/statement?period=2026-13');
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.code).toBe('BILLING.INVALID_PERIOD');
    const noPeriod = await auditor.get<Refusal>('/v1/units/acme/statement');
    expect(noPeriod.status).toBe(400);
    expect(noPeriod.body.code).toBe('REQUEST.INVALID');
  });

  it('reconciles the period exactly, and reports held usage as a difference', async () => {
    const exact = await auditor.get<{ status: string; units: Json[] }>(
      `/v1/reconciliation?period=${P}`,
    );
    expect(exact.status).toBe(200);
    expect(exact.body.status).toBe('match');
    expect(exact.body.units.map((unit) => unit.unitId)).toEqual(['bu-corporate', 'team-search']);
    const scoped = await retailManager.get<{ units: Json[] }>(`/v1/reconciliation?period=${P}`);
    expect(scoped.body.units.map((unit) => unit.unitId)).toEqual(['team-search']);
    expect(
      (await retailManager.get(`/v1/reconciliation?period=${P}&unitId=bu-corporate`)).status,
    ).toBe(403);
    const held = await auditor.get<{ status: string; differences: Json[] }>(
      `/v1/reconciliation?period=${PPP}`,
    );
    expect(held.body.status).toBe('differences');
    expect(held.body.differences).toEqual([
      expect.objectContaining({ unitId: 'team-search', heldUnpriced: 1 }),
    ]);
  });

  it('closes an ended period into gapless invoices, once; not a running one', async () => {
    const running = await finance.post<Refusal>(`/v1/periods/${C}/close`, {});
    expect(running.status).toBe(409);
    expect(running.body.code).toBe('BILLING.PERIOD_NOT_ENDED');
    expectDocumented(running.body);
    const invalid = await finance.post<Refusal>('/v1/periods/2026-13/close', {});
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('BILLING.INVALID_PERIOD');
    expectDocumented(invalid.body);
    for (const caller of [auditor, retailManager]) {
      expect((await caller.post(`/v1/periods/${P}/close`, {})).status).toBe(403);
    }
    // Text PostgreSQL cannot store is refused up front, not a 500.
    const nulReason = await finance.post<Refusal>(`/v1/periods/${P}/close`, { reason: 'a\u0000b' });
    expect(nulReason.status).toBe(400);
    expect(nulReason.body.code).toBe('REQUEST.INVALID');
    const nulUnit = await finance.get<Refusal>(
      `/v1/units/${encodeURIComponent('x\u0000')}/statement?period=${P}`,
    );
    expect(nulUnit.status).toBe(400);
    expect(nulUnit.body.code).toBe('REQUEST.INVALID');

    // The PPP usage (before the EUR schedule) is still held: P cannot close, since no schedule
    // could take effect before its end afterwards. A version before the earliest prices it.
    const held = await finance.post<Refusal>(`/v1/periods/${P}/close`, {});
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({
      code: 'BILLING.PERIOD_HAS_UNPRICED_USAGE',
      details: { period: P, heldUsage: { EUR: 1 } },
    });
    expectDocumented(held.body);
    const backward = await finance.post<{ schedule: Json; pricedHeldUsage: number }>(
      '/v1/price-schedules',
      { ...SCHEDULE, effectiveFrom: periodBounds(PPP).startsAt.toISOString(), reason: 'backfill' },
    );
    expect(backward.status).toBe(201);
    expect(backward.body).toMatchObject({ schedule: { version: 2 }, pricedHeldUsage: 1 });

    const closed = await finance.post<CloseAnswer>(`/v1/periods/${P}/close`, {
      reason: 'month-end close',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.period).toMatchObject({
      period: P,
      invoiceCount: 2,
      firstInvoice: `INV-${P}-0001`,
      lastInvoice: `INV-${P}-0002`,
      totalsMicro: { EUR: '113751' },
      totals: { EUR: '0.113751' },
      reason: 'month-end close',
    });
    expect(
      closed.body.invoices.map((invoice) => [
        invoice.invoiceNumber,
        invoice.unitId,
        invoice.totalMicro,
        invoice.total,
      ]),
    ).toEqual([
      [`INV-${P}-0001`, 'bu-corporate', '45500', '0.045500'],
      [`INV-${P}-0002`, 'team-search', '68251', '0.068251'],
    ]);
    expect(closed.body.invoices[1]).toMatchObject({ costCentre: 'CC-4100-RETAIL', lineCount: 2 });

    const second = await finance.post<Refusal>(`/v1/periods/${P}/close`, {});
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('BILLING.PERIOD_ALREADY_CLOSED');
    expectDocumented(second.body);

    const periods = await auditor.get<Json[]>('/v1/periods');
    expect(periods.status).toBe(200);
    expect(periods.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ period: P, status: 'closed' })]),
    );
    expect((await retailManager.get('/v1/periods')).status).toBe(403);

    const inClosed = await finance.post<Refusal>('/v1/price-schedules', {
      ...SCHEDULE,
      effectiveFrom: at(P, 10),
    });
    expect(inClosed.status).toBe(409);
    expect(inClosed.body.code).toBe('BILLING.SCHEDULE_IN_CLOSED_PERIOD');
    expectDocumented(inClosed.body);
  });

  it('shows invoices to who may see them', async () => {
    const all = await auditor.get<Invoice[]>(`/v1/invoices?period=${P}`);
    expect(all.body.map((invoice) => invoice.invoiceNumber)).toEqual([
      `INV-${P}-0001`,
      `INV-${P}-0002`,
    ]);
    const scoped = await retailManager.get<Invoice[]>('/v1/invoices');
    expect(scoped.body.map((invoice) => invoice.invoiceNumber)).toEqual([`INV-${P}-0002`]);
    const one = await retailManager.get<Invoice>(`/v1/invoices/INV-${P}-0002`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      unitId: 'team-search',
      totalMicro: '68251',
      total: '0.068251',
    });
    // Another subtree's invoice is answered like a missing one: numbers are sequential, so a
    // 403 naming its unit would let a unit manager enumerate every unit's invoices.
    const outside = await retailManager.get<Refusal>(`/v1/invoices/INV-${P}-0001`);
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({
      code: 'BILLING.INVOICE_NOT_FOUND',
      message: `no invoice INV-${P}-0001`,
      details: { invoiceNumber: `INV-${P}-0001` },
    });
    expect(outside.text).not.toContain('bu-corporate');
    const missing = await auditor.get<Refusal>(`/v1/invoices/INV-${P}-0099`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('BILLING.INVOICE_NOT_FOUND');
    expectDocumented(missing.body);
  });

  it('bills late usage of a closed period in the next open one, referencing the invoice', async () => {
    expect(await recordUsage(service, USAGE.late as TestUsage)).toBe('charged');
    const statement = await retailManager.get<{ currencies: Json[]; adjustments: Json[] }>(
      `/v1/units/team-search/statement?period=${C}`,
    );
    expect(statement.body.currencies).toEqual([
      expect.objectContaining({ currency: 'EUR', totalMicro: '2000', total: '0.002000' }),
    ]);
    expect(statement.body.adjustments).toEqual([
      expect.objectContaining({
        servicePeriod: P,
        adjustsInvoice: `INV-${P}-0002`,
        amountMicro: '2000',
        amount: '0.002000',
      }),
    ]);
    // The closed invoice did not change; reconciliation by service period still matches.
    const invoice = await auditor.get<Invoice>(`/v1/invoices/INV-${P}-0002`);
    expect(invoice.body.totalMicro).toBe('68251');
    const reconciliation = await auditor.get<{ status: string }>(`/v1/reconciliation?period=${P}`);
    expect(reconciliation.body.status).toBe('match');
  });

  it('exports the journal as a CSV download whose totals balance and match the invoices', async () => {
    const csv = await finance.get(`/v1/exports/journal?period=${P}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      `attachment; filename="plafond-journal-${P}.csv"`,
    );
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(JOURNAL_CSV_COLUMNS);
    const lines = rows.slice(1);
    expect(lines).toHaveLength(6);
    const column = (name: string) => (JOURNAL_CSV_COLUMNS as readonly string[]).indexOf(name);
    const sum = (name: string) =>
      lines.reduce((total, line) => total + micro(line[column(name)] as string), 0n);
    expect(sum('debit')).toBe(113_751n);
    expect(sum('credit')).toBe(113_751n);
    for (const line of lines) {
      expect(line[column('currency')]).toBe('EUR');
      expect(line[column('billing_period')]).toBe(P);
      expect(line[column('date')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(line[column('adjusts_invoice')]).toBe('');
      const debit = micro(line[column('debit')] as string);
      expect(line[column('account')]).toBe(debit > 0n ? '6980-AI-CARBON' : '4890-CARBON-FUND');
    }
    const search = lines.filter((line) => line[column('unit_id')] === 'team-search');
    expect(search).toHaveLength(4);
    for (const line of search) expect(line[column('invoice_number')]).toBe(`INV-${P}-0002`);
    expect(search.filter((line) => line[column('cost_centre')] === 'CC-4100-RETAIL')).toHaveLength(
      2,
    );

    const json = await auditor.get<{
      period: string;
      columns: string[];
      lines: Json[];
      totals: Record<string, Json>;
    }>(`/v1/exports/journal?period=${P}&format=json`);
    expect(json.status).toBe(200);
    expect(json.body.period).toBe(P);
    expect(json.body.columns).toEqual(JOURNAL_CSV_COLUMNS);
    expect(json.body.lines).toHaveLength(6);
    expect(json.body.totals.EUR).toMatchObject({
      debit: '0.113751',
      credit: '0.113751',
      debitMicro: '113751',
      creditMicro: '113751',
    });

    const scoped = await retailManager.get(`/v1/exports/journal?period=${P}`);
    expect(parseCsv(scoped.text).slice(1)).toHaveLength(4);
    expect(
      (await retailManager.get(`/v1/exports/journal?period=${P}&unitId=bu-corporate`)).status,
    ).toBe(403);
    const late = parseCsv((await finance.get(`/v1/exports/journal?period=${C}`)).text).slice(1);
    expect(late).toHaveLength(2);
    for (const line of late) expect(line[column('adjusts_invoice')]).toBe(`INV-${P}-0002`);
    const badFormat = await finance.get<Refusal>(`/v1/exports/journal?period=${P}&format=xml`);
    expect(badFormat.status).toBe(400);
  });

  it('reports the rebound effect: energy per request fell while total energy rose', async () => {
    const report = await retailManager.get<{
      period: string;
      previousPeriod: string;
      rows: (Json & { unitId: string; scope: string })[];
    }>(`/v1/reports/rebound?period=${P}`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ period: P, previousPeriod: PP });
    // By service period: the late usage occurred in P too → 23 requests, 1 600 025 000 µWh.
    const search = report.body.rows.find(
      (row) => row.unitId === 'team-search' && row.scope === 'unit',
    );
    // energy/request: (1 600 025 000 / 23) / (1 000 000 000 / 10) − 1 = −30.43 %; total +60.00 %
    expect(search).toMatchObject({
      energyPerRequestChangePercent: '-30.43',
      totalEnergyChangePercent: '60.00',
      rebound: true,
    });
    expect(report.body.rows.every((row) => row.unitId !== 'bu-corporate')).toBe(true);

    // Shorter windows: a UTC day, hour or minute against the one just before it.
    const hour = await auditor.get<{ period: string; previousPeriod: string }>(
      `/v1/reports/rebound?period=${P}-01T00`,
    );
    expect(hour.status).toBe(200);
    expect(hour.body).toMatchObject({
      period: `${P}-01T00`,
      previousPeriod: expect.stringMatching(new RegExp(`^${PP}-\\d\\dT23$`)),
    });
    for (const bad of [`${P}-32`, `${P}-01T24`, `${P}-01T10:5`, `${P}T10`]) {
      const refused = await auditor.get<Refusal>(`/v1/reports/rebound?period=${bad}`);
      expect({ bad, status: refused.status, code: refused.body.code }).toEqual({
        bad,
        status: 400,
        code: 'BILLING.INVALID_PERIOD',
      });
      expectDocumented(refused.body);
    }
  });

  it('consumes allocation events and recorded usage from Kafka (messaging wired)', async () => {
    await publishToKafka(infrastructure.topics.allocationEvents, [
      {
        key: 'team-kafka',
        event: createCloudEvent({
          id: 'alloc-unit-team-kafka',
          source: ALLOCATION_EVENTS_SOURCE,
          type: ALLOCATION_EVENT_TYPES_V1.UnitCreated,
          datacontenttype: 'application/json',
          partitionkey: 'team-kafka',
          data: { unitId: 'team-kafka', parentId: 'bu-retail', name: 'Kafka team' },
        }),
      },
    ]);
    const data: UsageRecordedV1Json = {
      unitId: 'team-kafka',
      useCase: 'support-triage',
      model: 'gpt-4o-mini',
      requests: '4',
      energyMicroWh: '500000000',
      carbonMicroGrams: '0',
      factorSetVersion: '2026.1',
      method: 'modelled',
      occurredAt: at(C, 1),
      reportedSource: 'urn:acme:gateway',
      reportedId: 'k-1',
    };
    await publishToKafka(infrastructure.topics.usageRecorded, [
      {
        key: 'team-kafka',
        event: createCloudEvent({
          id: 'kafka-usage-1',
          source: INGESTION_EVENTS_SOURCE,
          type: USAGE_RECORDED_V1_TYPE,
          time: data.occurredAt,
          datacontenttype: 'application/json',
          partitionkey: 'team-kafka',
          data,
        }),
      },
    ]);
    // 500 000 000 µWh × 20 000 / 10^9 = 10 000 µEUR, essential ×1; the unit inherits bu-retail's profile.
    let statement: { currencies: Json[] } = { currencies: [] };
    await waitFor(
      async () => {
        const answer = await retailManager.get<{ currencies: Json[] }>(
          `/v1/units/team-kafka/statement?period=${C}`,
        );
        statement = answer.body;
        return answer.status === 200 && answer.body.currencies.length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'the Kafka usage to be charged' },
    );
    expect(statement.currencies).toEqual([
      expect.objectContaining({ currency: 'EUR', totalMicro: '10000', total: '0.010000' }),
    ]);
    const messaging = await auditor.get('/v1/admin/messaging');
    expect(messaging.status).toBe(200);
  });

  it('verifies the ledger and the replay of the books (operations roles only)', async () => {
    const replay = await auditor.get<{ match: boolean; projection: string }>('/v1/admin/replay');
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ projection: 'billing-books', match: true });
    const ledger = await admin.get<{ ok: boolean }>('/v1/admin/ledger/verify');
    expect(ledger.status).toBe(200);
    expect(ledger.body.ok).toBe(true);
    for (const caller of [finance, retailManager]) {
      expect((await caller.get('/v1/admin/replay')).status).toBe(403);
    }
  });

  it('reports a tampered read model: reconciliation differences and a replay mismatch', async () => {
    await infrastructure.pool.query(
      `UPDATE billing.charge_lines SET energy_micro_wh = energy_micro_wh - 1
        WHERE unit_id = 'bu-corporate' AND kind = 'usage'`,
    );
    const reconciliation = await auditor.get<{ status: string; differences: Json[] }>(
      `/v1/reconciliation?period=${P}`,
    );
    expect(reconciliation.body.status).toBe('differences');
    expect(reconciliation.body.differences).toEqual([
      expect.objectContaining({ unitId: 'bu-corporate', energyDifferenceMicroWh: '1' }),
    ]);
    const replay = await auditor.get<{ match: boolean }>('/v1/admin/replay');
    expect(replay.body.match).toBe(false);
  });

  it('documents every route with a summary and an example for each error answer', async () => {
    const document = await anonymous.get<{
      paths: Record<string, Record<string, OpenApiOperation>>;
    }>('/docs-json');
    expect(document.status).toBe(200);
    const expected: Record<string, string[]> = {
      '/v1/price-schedules': ['post', 'get'],
      '/v1/price-schedules/{currency}/versions/{version}': ['get'],
      '/v1/price-schedules/{currency}/effective': ['get'],
      '/v1/billing-profiles/{unitId}': ['put', 'get'],
      '/v1/units/{unitId}/statement': ['get'],
      '/v1/periods': ['get'],
      '/v1/periods/{period}/close': ['post'],
      '/v1/invoices': ['get'],
      '/v1/invoices/{invoiceNumber}': ['get'],
      '/v1/exports/journal': ['get'],
      '/v1/reconciliation': ['get'],
      '/v1/reports/rebound': ['get'],
      '/v1/admin/replay': ['get'],
      '/v1/admin/ledger/verify': ['get'],
      '/v1/admin/messaging': ['get'],
      '/v1/api-keys': ['post', 'get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) {
        const operation = document.body.paths[path]?.[method];
        expect({ path, method, summary: operation?.summary }).toEqual({
          path,
          method,
          summary: expect.any(String),
        });
        if (path === '/v1/api-keys' || path === '/v1/admin/messaging') continue;
        const responses = operation?.responses ?? {};
        for (const status of ['400', '401', '403']) {
          const examples = responses[status]?.content?.['application/json']?.examples ?? {};
          expect({ path, method, status, examples: Object.keys(examples).length > 0 }).toEqual({
            path,
            method,
            status,
            examples: true,
          });
          for (const example of Object.values(examples)) {
            expect(example.value).toEqual({
              code: expect.stringMatching(/^[A-Z_]+\.[A-Z_]+$/),
              message: expect.any(String),
              details: expect.any(Object),
            });
          }
        }
      }
    }
    const close = document.body.paths['/v1/periods/{period}/close']?.post;
    expect(
      Object.keys(close?.responses['409']?.content?.['application/json']?.examples ?? {}),
    ).toEqual(
      expect.arrayContaining(['BILLING.PERIOD_NOT_ENDED', 'BILLING.PERIOD_ALREADY_CLOSED']),
    );
    const csv = document.body.paths['/v1/exports/journal']?.get?.responses['200']?.content ?? {};
    expect(Object.keys(csv)).toEqual(expect.arrayContaining(['text/csv', 'application/json']));
  });
});
