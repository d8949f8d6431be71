// The billing books on real PostgreSQL: a realistic sequence of billing events appended through
// PostgresEventStore and projected inline (as the application does), the rows checked, then a
// rebuild from position 0 into a fresh schema digests equal to the live tables — and a tampered
// live row breaks the equality.
import {
  PostgresEventStore,
  ledgerSchemaStatements,
  pgPoolSource,
  projectionDigest,
  projectionMigrationStatements,
  rebuildProjection,
  type DomainEvent,
  type EventToAppend,
  type RecordedEvent,
} from '@plafond/ledger';
import { createTestDatabase, type TestDatabase } from '@plafond/testing';
import { Pool } from 'pg';
import type {
  BillingEvent,
  LineBillingData,
  UsageChargedData,
  UsageFactData,
} from '../domain/billing.events';
import { assembleInvoices, periodClosedData } from '../domain/invoices';
import { BOOKS_PROJECTION, BOOKS_TABLES, projectEvents } from './books.projection';

jest.setTimeout(120_000);

const SCHEMA = 'billing';
const accounts = { expense: '6150', carbonFund: '4890' };

function fact(usageId: string, over: Partial<UsageFactData> = {}): UsageFactData {
  return {
    usageId,
    unitId: 'unit-a',
    useCase: 'support-chat',
    usefulnessClass: 'high',
    model: 'gpt-x',
    occurredAt: '2026-10-15T10:00:00.000Z',
    servicePeriod: '2026-10',
    requests: '3',
    energyMicroWh: '2000000',
    carbonMicroGrams: '1000000',
    factorSetVersion: 'fs-1',
    ...over,
  };
}

function billing(lineId: string, over: Partial<LineBillingData> = {}): LineBillingData {
  return {
    lineId,
    billingPeriod: '2026-10',
    adjustsInvoice: null,
    currency: 'EUR',
    costCentre: 'CC-A',
    scheduleVersion: 1,
    multiplierPpm: '1500000',
    amountMicro: '188',
    bookedAt: '2026-10-15T10:00:01.000Z',
    accounts,
    ...over,
  };
}

const charged = (f: UsageFactData, b: LineBillingData): UsageChargedData => ({ ...f, ...b });

describe('billing-books projection', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;

  /** Appends in one transaction and projects the new events inline, like the application. */
  async function append(
    streamId: string,
    events: (BillingEvent & { eventId?: string })[] | EventToAppend<DomainEvent>[],
  ): Promise<RecordedEvent[]> {
    return store.transaction(async (tx) => {
      const result = await tx.appendToStream(
        streamId,
        events.map((e) => ({ ...e, metadata: { actor: 'test', partitionKey: 'unit-a' } })),
      );
      const from = result.nextExpectedVersion - BigInt(events.length) + 1n;
      const recorded = await tx.readStream(streamId, { fromVersion: from });
      await projectEvents(tx, SCHEMA, recorded);
      return recorded;
    });
  }

  async function rows<T = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    return (await pool.query(sql, params)).rows as T[];
  }

  beforeAll(async () => {
    database = await createTestDatabase('billing_books');
    pool = new Pool({ connectionString: database.url, max: 4 });
    for (const statement of [
      ...ledgerSchemaStatements(SCHEMA),
      ...projectionMigrationStatements(BOOKS_PROJECTION, SCHEMA),
    ]) {
      await pool.query(statement);
    }
    store = new PostgresEventStore({ schema: SCHEMA, connection: pgPoolSource(pool) });

    // Schedules: EUR v1 (with tiers), later USD v1.
    await append('price-schedule-EUR', [
      {
        type: 'PriceSchedulePublished',
        eventId: 'sched-eur-1',
        data: {
          currency: 'EUR',
          version: 1,
          effectiveFrom: '2026-10-01T00:00:00.000Z',
          carbonPricePerTonneMicro: '85000000',
          energyPricePerKwhMicro: '20000',
          classMultipliersPpm: { high: '1500000' },
          defaultMultiplierPpm: '1000000',
          overrunTiers: [{ fromShareOfAllocationPpm: '0', surchargePpm: '250000' }],
          reason: 'FY27',
        },
      },
    ]);
    await append('billing-profile-a', [
      {
        type: 'BillingProfileSet',
        data: { unitId: 'unit-a', currency: 'EUR', costCentre: 'CC-A' },
      },
    ]);
    await append('billing-profile-a', [
      {
        type: 'BillingProfileSet',
        data: { unitId: 'unit-a', currency: 'EUR', costCentre: 'CC-A2' },
      },
    ]);
    // usage-1: charged, then a credit note.
    await append('usage-1', [
      {
        type: 'UsageCharged',
        eventId: 'line-1',
        data: charged(fact('urn:acme#e-1'), billing('line-1')),
      },
    ]);
    // usage-2: held (no USD schedule), priced once USD is published.
    const f2 = fact('urn:acme#e-2', {
      unitId: 'unit-b',
      usefulnessClass: null,
      occurredAt: '2026-10-20T00:00:00.000Z',
    });
    await append('usage-2', [
      {
        type: 'UsageHeldUnpriced',
        data: { ...f2, currency: 'USD', reasonCode: 'BILLING.NO_PRICE_SCHEDULE' },
      },
    ]);
    // usage-3: overrun noted before its usage; then charged with its surcharge in one append.
    const overrun3 = {
      usageId: 'urn:acme#e-3',
      unitId: 'unit-a',
      budgetId: 'budget-1',
      usageAmount: '400',
      overrunAmount: '100',
      overrunAfter: '100',
      allocated: '1000',
    };
    await append('usage-3', [{ type: 'OverrunNoted', data: overrun3 }]);
    expect(await rows(`SELECT usage_id FROM billing.pending_overruns`)).toEqual([
      { usage_id: 'urn:acme#e-3' },
    ]);
    const f3 = fact('urn:acme#e-3', { model: null, occurredAt: '2026-10-21T00:00:00.000Z' });
    await append('usage-3', [
      {
        type: 'UsageCharged',
        eventId: 'line-3',
        data: charged(
          f3,
          billing('line-3', { bookedAt: '2026-10-21T00:00:01.000Z', costCentre: 'CC-A2' }),
        ),
      },
      {
        type: 'OverrunSurchargeCharged',
        eventId: 'line-3s',
        data: {
          ...overrun3,
          ...billing('line-3s', {
            amountMicro: '12',
            bookedAt: '2026-10-21T00:00:01.000Z',
            costCentre: 'CC-A2',
          }),
          useCase: f3.useCase,
          usefulnessClass: f3.usefulnessClass,
          model: f3.model,
          servicePeriod: f3.servicePeriod,
          tiers: [{ overrun: '100', surchargePpm: '250000' }],
        },
      },
    ]);
    await append('usage-1', [
      {
        type: 'UsageAdjustmentCharged',
        eventId: 'line-1a',
        data: {
          ...billing('line-1a', {
            amountMicro: '-94',
            bookedAt: '2026-10-25T00:00:00.000Z',
            costCentre: 'CC-A2',
          }),
          usageId: 'urn:acme#e-1',
          unitId: 'unit-a',
          useCase: 'support-chat',
          usefulnessClass: 'high',
          model: 'gpt-x',
          servicePeriod: '2026-10',
          adjustmentId: 'urn:ingest#adj-1',
          fromFactorSetVersion: 'fs-1',
          toFactorSetVersion: 'fs-2',
          energyDeltaMicroWh: '-1000000',
          carbonDeltaMicroGrams: '-500000',
          energyMicroWh: '1000000',
          carbonMicroGrams: '500000',
          note: 'credit',
        },
      },
    ]);
    await append('price-schedule-USD', [
      {
        type: 'PriceSchedulePublished',
        data: {
          currency: 'USD',
          version: 1,
          effectiveFrom: '2026-10-01T00:00:00.000Z',
          carbonPricePerTonneMicro: '100000000',
          energyPricePerKwhMicro: null,
          classMultipliersPpm: {},
          defaultMultiplierPpm: '1000000',
          overrunTiers: [],
          reason: null,
        },
      },
    ]);
    await append('usage-2', [
      {
        type: 'UsageCharged',
        eventId: 'line-2',
        data: charged(
          f2,
          billing('line-2', {
            currency: 'USD',
            costCentre: 'unit-b',
            multiplierPpm: '1000000',
            amountMicro: '100',
          }),
        ),
      },
    ]);
    // A zero-amount usage: a line, no journal entry.
    await append('usage-5', [
      {
        type: 'UsageCharged',
        eventId: 'line-5',
        data: charged(
          fact('urn:acme#e-5', { energyMicroWh: '0', carbonMicroGrams: '0' }),
          billing('line-5', { amountMicro: '0' }),
        ),
      },
    ]);
    // An event of another service in the same ledger is ignored.
    await append('elsewhere-1', [{ type: 'SomethingElse', data: { x: 1 } }]);

    // Close 2026-10 from the lines, as the application does.
    const lines = await rows<{
      line_id: string;
      kind: 'usage' | 'surcharge' | 'credit_note' | 'debit_note';
      unit_id: string;
      currency: string;
      cost_centre: string;
      booked_at: Date;
      usefulness_class: string | null;
      model: string | null;
      requests: string;
      energy_micro_wh: string;
      carbon_micro_g: string;
      amount_micro: string;
      adjusts_invoice: string | null;
    }>(`SELECT * FROM billing.charge_lines WHERE billing_period = '2026-10'`);
    const invoices = assembleInvoices(
      '2026-10',
      lines.map((l) => ({
        lineId: l.line_id,
        kind: l.kind,
        unitId: l.unit_id,
        currency: l.currency,
        costCentre: l.cost_centre,
        bookedAt: l.booked_at.toISOString(),
        usefulnessClass: l.usefulness_class,
        model: l.model,
        requests: BigInt(l.requests),
        energyMicroWh: BigInt(l.energy_micro_wh),
        carbonMicroGrams: BigInt(l.carbon_micro_g),
        amountMicro: BigInt(l.amount_micro),
        adjustsInvoice: l.adjusts_invoice,
      })),
      '2026-11-01T08:00:00.000Z',
    );
    await append('period-2026-10', [
      ...invoices.map((data) => ({ type: 'InvoiceIssued' as const, data })),
      {
        type: 'PeriodClosed' as const,
        data: periodClosedData('2026-10', invoices, '2026-11-01T08:00:00.000Z', 'month end'),
      },
    ]);

    // Late usage of October, billed in November, adjusting unit-a's October invoice; and an
    // overrun noted for an already charged usage (no tiers then): audit only, nothing pending.
    await append('usage-4', [
      {
        type: 'UsageCharged',
        eventId: 'line-4',
        data: charged(
          fact('urn:acme#e-4', { occurredAt: '2026-10-31T23:59:59.999Z' }),
          billing('line-4', {
            billingPeriod: '2026-11',
            adjustsInvoice: 'INV-2026-10-0001',
            bookedAt: '2026-11-02T00:00:00.000Z',
            costCentre: 'CC-A2',
          }),
        ),
      },
    ]);
    await append('usage-4', [
      {
        type: 'OverrunNoted',
        data: { ...overrun3, usageId: 'urn:acme#e-4' },
      },
    ]);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('keeps schedules and the latest profile', async () => {
    expect(
      await rows(
        `SELECT currency, version, event_id FROM billing.price_schedules ORDER BY currency`,
      ),
    ).toEqual([
      { currency: 'EUR', version: 1, event_id: 'sched-eur-1' },
      { currency: 'USD', version: 1, event_id: expect.any(String) },
    ]);
    expect(
      await rows(`SELECT unit_id, currency, cost_centre FROM billing.billing_profiles`),
    ).toEqual([{ unit_id: 'unit-a', currency: 'EUR', cost_centre: 'CC-A2' }]);
  });

  it('keeps usage facts with current quantities and status', async () => {
    expect(
      await rows(
        `SELECT usage_id, status, currency, schedule_version, multiplier_ppm::text, usage_line_id,
                energy_micro_wh::text, carbon_micro_g::text, service_period
           FROM billing.usage_facts ORDER BY usage_id`,
      ),
    ).toEqual([
      {
        usage_id: 'urn:acme#e-1',
        status: 'charged',
        currency: 'EUR',
        schedule_version: 1,
        multiplier_ppm: '1500000',
        usage_line_id: 'line-1',
        energy_micro_wh: '1000000',
        carbon_micro_g: '500000',
        service_period: '2026-10',
      },
      {
        usage_id: 'urn:acme#e-2',
        status: 'charged',
        currency: 'USD',
        schedule_version: 1,
        multiplier_ppm: '1000000',
        usage_line_id: 'line-2',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        service_period: '2026-10',
      },
      {
        usage_id: 'urn:acme#e-3',
        status: 'charged',
        currency: 'EUR',
        schedule_version: 1,
        multiplier_ppm: '1500000',
        usage_line_id: 'line-3',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        service_period: '2026-10',
      },
      {
        usage_id: 'urn:acme#e-4',
        status: 'charged',
        currency: 'EUR',
        schedule_version: 1,
        multiplier_ppm: '1500000',
        usage_line_id: 'line-4',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        service_period: '2026-10',
      },
      {
        usage_id: 'urn:acme#e-5',
        status: 'charged',
        currency: 'EUR',
        schedule_version: 1,
        multiplier_ppm: '1500000',
        usage_line_id: 'line-5',
        energy_micro_wh: '0',
        carbon_micro_g: '0',
        service_period: '2026-10',
      },
    ]);
    expect(await rows(`SELECT * FROM billing.pending_overruns`)).toEqual([]);
  });

  it('books charge lines of every kind, invoiced at close, late ones adjusting the closed invoice', async () => {
    expect(
      await rows(
        `SELECT line_id, kind, unit_id, currency, billing_period, requests::text, energy_micro_wh::text,
                carbon_micro_g::text, amount_micro::text, budget_id, invoice_number, adjusts_invoice,
                to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS occurred_at
           FROM billing.charge_lines ORDER BY global_position`,
      ),
    ).toEqual([
      {
        line_id: 'line-1',
        kind: 'usage',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-10',
        requests: '3',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        amount_micro: '188',
        budget_id: null,
        invoice_number: 'INV-2026-10-0001',
        adjusts_invoice: null,
        occurred_at: '2026-10-15T10:00:00.000',
      },
      {
        line_id: 'line-3',
        kind: 'usage',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-10',
        requests: '3',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        amount_micro: '188',
        budget_id: null,
        invoice_number: 'INV-2026-10-0001',
        adjusts_invoice: null,
        occurred_at: '2026-10-21T00:00:00.000',
      },
      {
        line_id: 'line-3s',
        kind: 'surcharge',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-10',
        requests: '0',
        energy_micro_wh: '0',
        carbon_micro_g: '0',
        amount_micro: '12',
        budget_id: 'budget-1',
        invoice_number: 'INV-2026-10-0001',
        adjusts_invoice: null,
        occurred_at: '2026-10-21T00:00:00.000',
      },
      {
        line_id: 'line-1a',
        kind: 'credit_note',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-10',
        requests: '0',
        energy_micro_wh: '-1000000',
        carbon_micro_g: '-500000',
        amount_micro: '-94',
        budget_id: null,
        invoice_number: 'INV-2026-10-0001',
        adjusts_invoice: null,
        occurred_at: '2026-10-15T10:00:00.000',
      },
      {
        line_id: 'line-2',
        kind: 'usage',
        unit_id: 'unit-b',
        currency: 'USD',
        billing_period: '2026-10',
        requests: '3',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        amount_micro: '100',
        budget_id: null,
        invoice_number: 'INV-2026-10-0002',
        adjusts_invoice: null,
        occurred_at: '2026-10-20T00:00:00.000',
      },
      {
        line_id: 'line-5',
        kind: 'usage',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-10',
        requests: '3',
        energy_micro_wh: '0',
        carbon_micro_g: '0',
        amount_micro: '0',
        budget_id: null,
        invoice_number: 'INV-2026-10-0001',
        adjusts_invoice: null,
        occurred_at: '2026-10-15T10:00:00.000',
      },
      {
        line_id: 'line-4',
        kind: 'usage',
        unit_id: 'unit-a',
        currency: 'EUR',
        billing_period: '2026-11',
        requests: '3',
        energy_micro_wh: '2000000',
        carbon_micro_g: '1000000',
        amount_micro: '188',
        budget_id: null,
        invoice_number: null,
        adjusts_invoice: 'INV-2026-10-0001',
        occurred_at: '2026-10-31T23:59:59.999',
      },
    ]);
  });

  it('keeps invoices and the closed period', async () => {
    expect(
      await rows(
        `SELECT invoice_number, period, sequence, unit_id, currency, cost_centre, total_micro::text, line_count
           FROM billing.invoices ORDER BY sequence`,
      ),
    ).toEqual([
      {
        invoice_number: 'INV-2026-10-0001',
        period: '2026-10',
        sequence: 1,
        unit_id: 'unit-a',
        currency: 'EUR',
        cost_centre: 'CC-A2',
        total_micro: '294',
        line_count: 5,
      },
      {
        invoice_number: 'INV-2026-10-0002',
        period: '2026-10',
        sequence: 2,
        unit_id: 'unit-b',
        currency: 'USD',
        cost_centre: 'unit-b',
        total_micro: '100',
        line_count: 1,
      },
    ]);
    expect(
      await rows(`SELECT period, invoice_count, data->>'lastInvoice' AS last FROM billing.periods`),
    ).toEqual([{ period: '2026-10', invoice_count: 2, last: 'INV-2026-10-0002' }]);
  });

  it('writes a balanced journal: two lines per non-zero line, debits = credits per currency', async () => {
    expect(
      await rows(
        `SELECT entry_id, side, account, cost_centre, debit_micro::text, credit_micro::text, entry_date::text, reference
           FROM billing.journal_lines WHERE entry_id IN ('line-1', 'line-1a') ORDER BY global_position, side DESC`,
      ),
    ).toEqual([
      {
        entry_id: 'line-1',
        side: 'debit',
        account: '6150',
        cost_centre: 'CC-A',
        debit_micro: '188',
        credit_micro: '0',
        entry_date: '2026-10-15',
        reference: 'usage urn:acme#e-1',
      },
      {
        entry_id: 'line-1',
        side: 'credit',
        account: '4890',
        cost_centre: '',
        debit_micro: '0',
        credit_micro: '188',
        entry_date: '2026-10-15',
        reference: 'usage urn:acme#e-1',
      },
      {
        entry_id: 'line-1a',
        side: 'debit',
        account: '4890',
        cost_centre: '',
        debit_micro: '94',
        credit_micro: '0',
        entry_date: '2026-10-25',
        reference: 'credit_note urn:acme#e-1',
      },
      {
        entry_id: 'line-1a',
        side: 'credit',
        account: '6150',
        cost_centre: 'CC-A2',
        debit_micro: '0',
        credit_micro: '94',
        entry_date: '2026-10-25',
        reference: 'credit_note urn:acme#e-1',
      },
    ]);
    expect(
      await rows(`SELECT count(*)::int AS n FROM billing.journal_lines WHERE entry_id = 'line-5'`),
    ).toEqual([{ n: 0 }]);
    expect(
      await rows(
        `SELECT currency, sum(debit_micro)::text AS debit, sum(credit_micro)::text AS credit,
                sum(debit_micro - credit_micro) FILTER (WHERE account = '6150')::text AS expense_net
           FROM billing.journal_lines GROUP BY currency ORDER BY currency`,
      ),
    ).toEqual([
      { currency: 'EUR', debit: '670', credit: '670', expense_net: '482' },
      { currency: 'USD', debit: '100', credit: '100', expense_net: '100' },
    ]);
    expect(
      await rows(
        `SELECT currency, sum(amount_micro)::text AS total FROM billing.charge_lines GROUP BY currency ORDER BY currency`,
      ),
    ).toEqual([
      { currency: 'EUR', total: '482' },
      { currency: 'USD', total: '100' },
    ]);
  });

  it('is reproduced exactly by a rebuild from position 0, and a tampered row is caught', async () => {
    const live = await projectionDigest(BOOKS_PROJECTION, { store, schema: SCHEMA });
    expect(live.rowCounts).toEqual({
      [BOOKS_TABLES.priceSchedules]: 2,
      [BOOKS_TABLES.billingProfiles]: 1,
      [BOOKS_TABLES.usageFacts]: 5,
      [BOOKS_TABLES.chargeLines]: 7,
      [BOOKS_TABLES.pendingOverruns]: 0,
      [BOOKS_TABLES.journalLines]: 12,
      [BOOKS_TABLES.invoices]: 2,
      [BOOKS_TABLES.periods]: 1,
    });
    const rebuilt = await rebuildProjection(BOOKS_PROJECTION, {
      store,
      intoSchema: 'billing_rebuild_1',
      batchSize: 3,
      dropAfterDigest: true,
    });
    expect(rebuilt.eventsApplied).toBe(18);
    expect(rebuilt.digest.digest).toBe(live.digest);
    expect(rebuilt.digest.rowCounts).toEqual(live.rowCounts);

    await pool.query(
      `UPDATE billing.charge_lines SET amount_micro = amount_micro + 1 WHERE line_id = 'line-2'`,
    );
    const tampered = await projectionDigest(BOOKS_PROJECTION, { store, schema: SCHEMA });
    expect(tampered.digest).not.toBe(live.digest);
    const again = await rebuildProjection(BOOKS_PROJECTION, {
      store,
      intoSchema: 'billing_rebuild_2',
      dropAfterDigest: true,
    });
    expect(again.digest.digest).toBe(live.digest);
    await pool.query(
      `UPDATE billing.charge_lines SET amount_micro = amount_micro - 1 WHERE line_id = 'line-2'`,
    );
    expect((await projectionDigest(BOOKS_PROJECTION, { store, schema: SCHEMA })).digest).toBe(
      live.digest,
    );
  });

  it('refuses a line whose usage is unknown to the books (an adjustment without its usage)', async () => {
    await expect(
      append('usage-9', [
        {
          type: 'UsageAdjustmentCharged',
          data: {
            ...billing('line-9a', { amountMicro: '-1' }),
            usageId: 'urn:acme#e-9',
            unitId: 'unit-a',
            useCase: 'support-chat',
            usefulnessClass: null,
            model: null,
            servicePeriod: '2026-10',
            adjustmentId: 'urn:ingest#adj-9',
            fromFactorSetVersion: 'fs-1',
            toFactorSetVersion: 'fs-2',
            energyDeltaMicroWh: '-1',
            carbonDeltaMicroGrams: '-1',
            energyMicroWh: '0',
            carbonMicroGrams: '0',
            note: 'credit',
          },
        },
      ]),
    ).rejects.toThrow(/not in the books/);
  });
});
