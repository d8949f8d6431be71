// Period close on real PostgreSQL: gapless invoices, refusals, late usage becoming an adjustment
// line of the next open period, and a close racing charges without losing a line.
import { projectionDigest, rebuildProjection } from '@plafond/ledger';
import { BOOKS_PROJECTION } from '../read/books.projection';
import {
  createBillingTestKit,
  FINANCE,
  rejectionOf,
  scheduleInput,
  usageIdOf,
  usageRecorded,
  type BillingTestKit,
} from './testing/billing-test-kit';

jest.setTimeout(120_000);

// EUR 100 / t, no energy price, multiplier 1: 1 g CO2e = 100 µEUR.
const gram = 1_000_000n;

describe('BillingPeriods', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_periods' });
    await kit.organisation({
      units: [
        { unitId: 'org' },
        { unitId: 'team-b', parentId: 'org' },
        { unitId: 'team-a', parentId: 'org' },
        { unitId: 'team-c', parentId: 'org' },
      ],
      useCases: [{ useCase: 'chat', className: 'useful' }],
    });
    await kit.profiles.set('team-b', { currency: 'USD', costCentre: 'CC-B' }, FINANCE);
    await kit.schedules.publish(scheduleInput(), FINANCE);
    await kit.schedules.publish(
      scheduleInput({ currency: 'USD', carbonPricePerTonne: '200' }),
      FINANCE,
    );
  });
  afterAll(async () => kit?.close());

  const october = (day: number) => `2026-10-${String(day).padStart(2, '0')}T08:00:00.000Z`;

  it('refuses to close a period that has not ended, or an invalid key', async () => {
    expect((await rejectionOf(kit.periods.close('2026-11', FINANCE))).code).toBe(
      'BILLING.PERIOD_NOT_ENDED',
    );
    expect((await rejectionOf(kit.periods.close('2026-13', FINANCE))).code).toBe(
      'BILLING.INVALID_PERIOD',
    );
  });

  it('issues one invoice per unit and currency, numbered without gaps', async () => {
    // team-a (EUR): 3 g + 5 g = 800 µEUR; team-b (USD at 200): 2 g = 400 µUSD; org (EUR): 1 g = 100.
    await kit.recordUsage(
      usageIdOf('o-1'),
      usageRecorded({
        unitId: 'team-a',
        carbonMicroGrams: 3n * gram,
        occurredAt: october(2),
        reportedId: 'o-1',
      }),
    );
    await kit.recordUsage(
      usageIdOf('o-2'),
      usageRecorded({
        unitId: 'team-b',
        carbonMicroGrams: 2n * gram,
        occurredAt: october(3),
        reportedId: 'o-2',
      }),
    );
    kit.clock.advance(60_000);
    await kit.recordUsage(
      usageIdOf('o-3'),
      usageRecorded({
        unitId: 'team-a',
        carbonMicroGrams: 5n * gram,
        occurredAt: october(4),
        reportedId: 'o-3',
      }),
    );
    await kit.recordUsage(
      usageIdOf('o-4'),
      usageRecorded({
        unitId: 'org',
        carbonMicroGrams: gram,
        occurredAt: october(31),
        reportedId: 'o-4',
      }),
    );
    const { period, invoices } = await kit.periods.close('2026-10', {
      ...FINANCE,
      reason: 'month end',
    });
    expect(
      invoices.map((i) => [
        i.invoiceNumber,
        i.sequence,
        i.unitId,
        i.currency,
        i.costCentre,
        i.totalMicro,
        i.lineCount,
      ]),
    ).toEqual([
      ['INV-2026-10-0001', 1, 'org', 'EUR', 'org', '100', 1],
      ['INV-2026-10-0002', 2, 'team-a', 'EUR', 'team-a', '800', 2],
      ['INV-2026-10-0003', 3, 'team-b', 'USD', 'CC-B', '400', 1],
    ]);
    expect(period).toMatchObject({
      period: '2026-10',
      invoiceCount: 3,
      firstInvoice: 'INV-2026-10-0001',
      lastInvoice: 'INV-2026-10-0003',
      totalsMicro: { EUR: '900', USD: '400' },
      closedAt: kit.clock.now.toISOString(),
      reason: 'month end',
    });
    const stream = await kit.store.readStream('period-2026-10');
    expect(stream.map((e) => e.type)).toEqual([
      'InvoiceIssued',
      'InvoiceIssued',
      'InvoiceIssued',
      'PeriodClosed',
    ]);
    expect(stream.map((e) => e.metadata.partitionKey)).toEqual([
      'org',
      'team-a',
      'team-b',
      '2026-10',
    ]);
    const numbered = await kit.query<{ invoice_number: string | null; count: number }>(
      `SELECT invoice_number, count(*)::int AS count FROM billing.charge_lines
        WHERE billing_period = '2026-10' GROUP BY invoice_number ORDER BY invoice_number`,
    );
    expect(numbered).toEqual([
      { invoice_number: 'INV-2026-10-0001', count: 1 },
      { invoice_number: 'INV-2026-10-0002', count: 2 },
      { invoice_number: 'INV-2026-10-0003', count: 1 },
    ]);
    expect(await kit.transaction((tx) => kit.periods.latestClosed(tx.sql))).toBe('2026-10');
  });

  it('refuses a second close of the same period and writes nothing', async () => {
    const before = (await kit.events()).length;
    expect((await rejectionOf(kit.periods.close('2026-10', FINANCE))).code).toBe(
      'BILLING.PERIOD_ALREADY_CLOSED',
    );
    expect(await kit.events()).toHaveLength(before);
  });

  it('books late usage in the next open period, referencing the closed invoice', async () => {
    await kit.recordUsage(
      usageIdOf('late-a'),
      usageRecorded({
        unitId: 'team-a',
        carbonMicroGrams: 7n * gram,
        occurredAt: october(20),
        reportedId: 'late-a',
      }),
    );
    // team-c had no October invoice: the line adjusts nothing.
    await kit.recordUsage(
      usageIdOf('late-c'),
      usageRecorded({
        unitId: 'team-c',
        carbonMicroGrams: gram,
        occurredAt: october(21),
        reportedId: 'late-c',
      }),
    );
    const rows = await kit.query<Record<string, string | null>>(
      `SELECT usage_id, service_period, billing_period, adjusts_invoice, amount_micro::text AS amount, invoice_number
         FROM billing.charge_lines WHERE usage_id = ANY($1) ORDER BY usage_id`,
      [[usageIdOf('late-a'), usageIdOf('late-c')]],
    );
    expect(rows).toEqual([
      {
        usage_id: usageIdOf('late-a'),
        service_period: '2026-10',
        billing_period: '2026-11',
        adjusts_invoice: 'INV-2026-10-0002',
        amount: '700',
        invoice_number: null,
      },
      {
        usage_id: usageIdOf('late-c'),
        service_period: '2026-10',
        billing_period: '2026-11',
        adjusts_invoice: null,
        amount: '100',
        invoice_number: null,
      },
    ]);
    // The closed invoice is untouched.
    const [invoice] = await kit.query<{ total: string; lines: number }>(
      `SELECT total_micro::text AS total, line_count AS lines FROM billing.invoices WHERE invoice_number = 'INV-2026-10-0002'`,
    );
    expect(invoice).toEqual({ total: '800', lines: 2 });
  });

  it('skips every closed period forward, in any closing order', async () => {
    // Close December 2026 before November: a late October usage then goes to November; once
    // November is closed too, to January 2027.
    kit.clock.set('2027-01-05T09:00:00.000Z');
    await kit.periods.close('2026-12', FINANCE);
    await kit.recordUsage(
      usageIdOf('late-2'),
      usageRecorded({
        unitId: 'team-a',
        carbonMicroGrams: gram,
        occurredAt: october(22),
        reportedId: 'late-2',
      }),
    );
    const { invoices } = await kit.periods.close('2026-11', FINANCE);
    expect(
      invoices.map((i) => [i.invoiceNumber, i.unitId, i.totalMicro, i.adjustsInvoices]),
    ).toEqual([
      ['INV-2026-11-0001', 'team-a', '800', ['INV-2026-10-0002']],
      ['INV-2026-11-0002', 'team-c', '100', []],
    ]);
    await kit.recordUsage(
      usageIdOf('late-3'),
      usageRecorded({
        unitId: 'team-a',
        carbonMicroGrams: gram,
        occurredAt: october(23),
        reportedId: 'late-3',
      }),
    );
    const [line] = await kit.query<Record<string, string>>(
      `SELECT billing_period, adjusts_invoice FROM billing.charge_lines WHERE usage_id = $1`,
      [usageIdOf('late-3')],
    );
    expect(line).toEqual({ billing_period: '2027-01', adjusts_invoice: 'INV-2026-10-0002' });
  });

  it('never loses a line when a close races charges', async () => {
    // Usage of February 2027 arrives while February is being closed (clock in March): each line
    // is either on a February invoice or booked in March adjusting it.
    kit.clock.set('2027-03-02T09:00:00.000Z');
    const units = ['r-1', 'r-2', 'r-3', 'r-4'];
    await kit.organisation({ units: units.map((unitId) => ({ unitId })) });
    const usages = Array.from({ length: 60 }, (_, index) => ({
      usageId: usageIdOf(`race-${index}`),
      usage: usageRecorded({
        unitId: units[index % units.length]!,
        carbonMicroGrams: BigInt(index + 1) * gram,
        occurredAt: `2027-02-${String((index % 27) + 1).padStart(2, '0')}T12:00:00.000Z`,
        reportedId: `race-${index}`,
      }),
    }));
    // A few lines exist before the close starts, the rest race it.
    for (const { usageId, usage } of usages.slice(0, 4)) await kit.recordUsage(usageId, usage);
    const racing = usages
      .slice(4)
      .map(({ usageId, usage }, index) =>
        new Promise((resolve) => setTimeout(resolve, index)).then(() =>
          kit.recordUsage(usageId, usage),
        ),
      );
    const close = new Promise((resolve) => setTimeout(resolve, 25)).then(() =>
      kit.periods.close('2027-02', FINANCE),
    );
    const results = await Promise.all(racing);
    const { invoices } = await close;
    expect(results.every((r) => r === 'charged')).toBe(true);
    const lines = await kit.query<{
      billing_period: string;
      adjusts_invoice: string | null;
      invoice_number: string | null;
      unit_id: string;
      amount: string;
    }>(
      `SELECT billing_period, adjusts_invoice, invoice_number, unit_id, amount_micro::text AS amount
         FROM billing.charge_lines WHERE service_period = '2027-02'`,
    );
    expect(lines).toHaveLength(60);
    const invoiced = new Map(invoices.map((i) => [i.invoiceNumber, i]));
    let invoicedTotal = 0n;
    for (const line of lines) {
      if (line.billing_period === '2027-02') {
        expect(line.invoice_number).not.toBeNull();
        expect(invoiced.get(line.invoice_number!)?.unitId).toBe(line.unit_id);
        invoicedTotal += BigInt(line.amount);
      } else {
        expect(line.billing_period).toBe('2027-03');
        expect(line.invoice_number).toBeNull();
        // Adjusts the unit's February invoice when it got one.
        const own = invoices.find((i) => i.unitId === line.unit_id);
        expect(line.adjusts_invoice).toBe(own?.invoiceNumber ?? null);
      }
    }
    expect(invoices.reduce((sum, i) => sum + BigInt(i.totalMicro), 0n)).toBe(invoicedTotal);
    // Σ (1..60) g × 100 µEUR.
    expect(lines.reduce((sum, l) => sum + BigInt(l.amount), 0n)).toBe(183_000n);
    expect(invoices.map((i) => i.sequence)).toEqual(invoices.map((_, index) => index + 1));
  });
  it('leaves books equal to a rebuild from the ledger', async () => {
    const live = await projectionDigest(BOOKS_PROJECTION, { store: kit.store, schema: 'billing' });
    const rebuilt = await rebuildProjection(BOOKS_PROJECTION, {
      store: kit.store,
      intoSchema: 'billing_rebuilt_periods',
    });
    expect(rebuilt.digest.rowCounts).toEqual(live.rowCounts);
    expect(rebuilt.digest.digest).toBe(live.digest);
    await kit.query('DROP SCHEMA billing_rebuilt_periods CASCADE');
  });
});

describe('BillingPeriods with usage waiting for a price', () => {
  let kit: BillingTestKit;
  beforeAll(async () => {
    kit = await createBillingTestKit({ label: 'billing_periods_held' });
    await kit.organisation({
      units: [{ unitId: 'org' }, { unitId: 'team-c', parentId: 'org' }],
      useCases: [{ useCase: 'chat', className: 'useful' }],
    });
    await kit.schedules.publish(scheduleInput(), FINANCE);
  });
  afterAll(async () => kit?.close());

  it('refuses to close that month, or a later one, until a schedule prices it', async () => {
    // team-c is billed in CHF, which has no schedule: its July usage is held.
    await kit.profiles.set('team-c', { currency: 'CHF', costCentre: 'CC-C' }, FINANCE);
    await kit.recordUsage(
      usageIdOf('jul-1'),
      usageRecorded({
        unitId: 'team-c',
        carbonMicroGrams: 4n * gram,
        occurredAt: '2026-07-10T08:00:00.000Z',
        reportedId: 'jul-1',
      }),
    );
    for (const period of ['2026-07', '2026-08']) {
      const refusal = await rejectionOf(kit.periods.close(period, FINANCE));
      expect(refusal.code).toBe('BILLING.PERIOD_HAS_UNPRICED_USAGE');
      expect(refusal.details).toEqual({ period, heldUsage: { CHF: 1 } });
    }
    expect(await kit.query(`SELECT period FROM "billing".periods`)).toEqual([]);

    // CHF 50 / t: 4 g = 200 µCHF, priced by the publication, then invoiced by the close.
    const published = await kit.schedules.publish(
      scheduleInput({
        currency: 'CHF',
        effectiveFrom: '2026-07-01T00:00:00Z',
        carbonPricePerTonne: '50',
      }),
      FINANCE,
    );
    expect(published.pricedHeldUsage).toBe(1);
    const { invoices } = await kit.periods.close('2026-07', FINANCE);
    expect(
      invoices.map((invoice) => [
        invoice.invoiceNumber,
        invoice.unitId,
        invoice.currency,
        invoice.totalMicro,
      ]),
    ).toEqual([['INV-2026-07-0001', 'team-c', 'CHF', '200']]);
  });
});
