// BillingReports on real PostgreSQL, with data booked through the real services (schedule
// publication, UsageCharging in store transactions, directory events, period close). Every
// expected figure is computed by hand in the comments.
//
// Schedule EUR v1, effective 2026-09-01: 100 EUR / tCO2e (100_000_000 µ per 10^12 µg → 1 µ per
// 10^4 µg), 0.20 EUR / kWh (200_000 µ per 10^9 µWh → 1 µ per 5_000 µWh); multipliers essential
// 0.5, comfort 2, default 1. So a usage costs (carbonµg / 10^4 + energyµWh / 5_000) × multiplier.
import type { UsageRecordedV1 } from '@plafond/contracts';
import {
  FINANCE,
  SCHEMA,
  createBillingTestKit,
  usageIdOf,
  type BillingTestKit,
} from '../application/testing/billing-test-kit';
import { parseCsv } from '../domain/csv';
import { BillingError } from '../domain/errors';
import { BillingReports } from './billing-reports.service';
import { BillingReadModule } from './read.module';

jest.setTimeout(120_000);

const usageId = (name: string): string => usageIdOf(`rec-${name}`);

interface UsageSpec {
  name: string;
  unitId: string;
  useCase: string;
  model: string;
  occurredAt: string;
  requests: bigint;
  energyMicroWh: bigint;
  carbonMicroGrams: bigint;
}

function recorded(spec: UsageSpec): UsageRecordedV1 {
  return {
    unitId: spec.unitId,
    useCase: spec.useCase,
    model: spec.model,
    requests: spec.requests,
    energyMicroWh: spec.energyMicroWh,
    carbonMicroGrams: spec.carbonMicroGrams,
    factorSetVersion: 'fs-2026-01',
    method: 'modelled',
    occurredAt: spec.occurredAt,
    reportedSource: 'urn:test:gateway',
    reportedId: `rep-${spec.name}`,
  };
}

/** "0.001250" → 1250n (6 decimals). */
function micro(decimal: string): bigint {
  const match = /^(-?)(\d+)\.(\d{6})$/.exec(decimal);
  if (match === null) throw new Error(`not a 6-decimal amount: ${decimal}`);
  const value = BigInt(`${match[2]}${match[3]}`);
  return match[1] === '-' ? -value : value;
}

describe('BillingReports on real PostgreSQL', () => {
  let fx: BillingTestKit;
  let reports: BillingReports;

  const october: UsageSpec[] = [
    // (5_000_000/10^4 + 10_000_000/5_000) × 0.5 = (500 + 2000) × 0.5 = 1250
    {
      name: 'u1',
      unitId: 'team-a',
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt: '2026-10-03T10:00:00.000Z',
      requests: 100n,
      energyMicroWh: 10_000_000n,
      carbonMicroGrams: 5_000_000n,
    },
    // (100 + 400) × 2 = 1000
    {
      name: 'u2',
      unitId: 'team-a',
      useCase: 'brainstorm',
      model: 'gpt-x',
      occurredAt: '2026-10-04T10:00:00.000Z',
      requests: 10n,
      energyMicroWh: 2_000_000n,
      carbonMicroGrams: 1_000_000n,
    },
    // (300 + 200) × 0.5 = 250
    {
      name: 'u3',
      unitId: 'team-a',
      useCase: 'support-bot',
      model: 'small-m',
      occurredAt: '2026-10-05T10:00:00.000Z',
      requests: 50n,
      energyMicroWh: 1_000_000n,
      carbonMicroGrams: 3_000_000n,
    },
    // (200 + 800) × 0.5 = 500
    {
      name: 'u4',
      unitId: 'team-a1',
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt: '2026-10-06T10:00:00.000Z',
      requests: 40n,
      energyMicroWh: 4_000_000n,
      carbonMicroGrams: 2_000_000n,
    },
    // (100 + 200) × 2 = 600
    {
      name: 'u5',
      unitId: 'dept',
      useCase: 'brainstorm',
      model: 'gpt-x',
      occurredAt: '2026-10-07T10:00:00.000Z',
      requests: 5n,
      energyMicroWh: 1_000_000n,
      carbonMicroGrams: 1_000_000n,
    },
    // (1_000 + 14_000) × 2 = 30_000
    {
      name: 'lab-oct',
      unitId: 'lab',
      useCase: 'brainstorm',
      model: 'gpt-x',
      occurredAt: '2026-10-08T10:00:00.000Z',
      requests: 300n,
      energyMicroWh: 70_000_000n,
      carbonMicroGrams: 10_000_000n,
    },
    // (100 + 1_000) × 0.5 = 550
    {
      name: 'ops-oct',
      unitId: 'ops',
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt: '2026-10-09T10:00:00.000Z',
      requests: 10n,
      energyMicroWh: 5_000_000n,
      carbonMicroGrams: 1_000_000n,
    },
  ];
  const september: UsageSpec[] = [
    // (500 + 10_000) × 2 = 21_000
    {
      name: 'lab-sep',
      unitId: 'lab',
      useCase: 'brainstorm',
      model: 'gpt-x',
      occurredAt: '2026-09-10T10:00:00.000Z',
      requests: 100n,
      energyMicroWh: 50_000_000n,
      carbonMicroGrams: 5_000_000n,
    },
    // (200 + 2_000) × 0.5 = 1_100
    {
      name: 'ops-sep',
      unitId: 'ops',
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt: '2026-09-11T10:00:00.000Z',
      requests: 10n,
      energyMicroWh: 10_000_000n,
      carbonMicroGrams: 2_000_000n,
    },
  ];
  // Before the schedule's effectiveFrom: held unpriced.
  const held: UsageSpec = {
    name: 'b-aug',
    unitId: 'team-b',
    useCase: 'support-bot',
    model: 'gpt-x',
    occurredAt: '2026-08-15T10:00:00.000Z',
    requests: 3n,
    energyMicroWh: 3_000_000n,
    carbonMicroGrams: 1_000_000n,
  };
  // Occurred in October, recorded after October closed: (200 + 400) × 0.5 = 300, billed in November.
  const late: UsageSpec = {
    name: 'u6',
    unitId: 'team-a',
    useCase: 'support-bot',
    model: 'gpt-x',
    occurredAt: '2026-10-20T10:00:00.000Z',
    requests: 20n,
    energyMicroWh: 2_000_000n,
    carbonMicroGrams: 2_000_000n,
  };

  async function record(spec: UsageSpec): Promise<string> {
    return fx.recordUsage(usageId(spec.name), recorded(spec));
  }

  beforeAll(async () => {
    fx = await createBillingTestKit({
      label: 'billing_reports',
      imports: [BillingReadModule.forRoot({ readModelSchema: SCHEMA })],
    });
    reports = fx.moduleRef.get(BillingReports);
    // dept ─┬─ team-a ── team-a1
    //       └─ team-b          lab, ops: roots of their own
    await fx.organisation({
      units: [
        { unitId: 'dept', parentId: null, name: 'Department' },
        { unitId: 'team-a', parentId: 'dept', name: 'Team A' },
        { unitId: 'team-a1', parentId: 'team-a', name: 'Team A1' },
        { unitId: 'team-b', parentId: 'dept', name: 'Team B' },
        { unitId: 'lab', parentId: null, name: 'Lab' },
        { unitId: 'ops', parentId: null, name: 'Ops' },
      ],
      useCases: [
        { useCase: 'support-bot', className: 'essential' },
        { useCase: 'brainstorm', className: 'comfort' },
      ],
    });
    fx.clock.set(new Date('2026-08-20T00:00:00.000Z'));
    expect(await record(held)).toBe('unpriced');
    fx.clock.set(new Date('2026-08-25T00:00:00.000Z'));
    await fx.schedules.publish(
      {
        currency: 'EUR',
        effectiveFrom: '2026-09-01T00:00:00.000Z',
        carbonPricePerTonne: '100',
        energyPricePerKwh: '0.2',
        classMultipliers: { essential: '0.5', comfort: '2' },
        defaultMultiplier: '1',
      },
      FINANCE,
    );
    fx.clock.set(new Date('2026-10-10T00:00:00.000Z'));
    for (const spec of [...september, ...october]) expect(await record(spec)).toBe('charged');
    // u1 re-rated: 10 Wh, 5 g → 6 Wh, 3 g: (300 + 1_200) × 0.5 = 750; note 750 − 1250 = −500.
    fx.clock.set(new Date('2026-10-15T00:00:00.000Z'));
    expect(
      await fx.adjustUsage('urn:test:ingestion#adj-u1', {
        reportedSource: 'urn:test:gateway',
        reportedId: 'rep-u1',
        recordedEventId: 'rec-u1',
        unitId: 'team-a',
        useCase: 'support-bot',
        occurredAt: '2026-10-03T10:00:00.000Z',
        method: 'modelled',
        fromFactorSetVersion: 'fs-2026-01',
        toFactorSetVersion: 'fs-2026-02',
        energyDeltaMicroWh: '-4000000',
        carbonDeltaMicroGrams: '-2000000',
        energyMicroWh: '6000000',
        carbonMicroGrams: '3000000',
      }),
    ).toBe('charged');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('groups an open statement by class, model and kind and rolls it up the unit tree', async () => {
    const statement = await reports.statement('team-a', '2026-10');
    expect(statement).toEqual({
      unitId: 'team-a',
      period: '2026-10',
      status: 'open',
      includeDescendants: true,
      currencies: [
        {
          currency: 'EUR',
          // 1000 + 1750 − 500 + 250
          totalMicro: '2500',
          total: '0.002500',
          lines: 5,
          groups: [
            {
              usefulnessClass: 'comfort',
              model: 'gpt-x',
              kind: 'usage',
              lines: 1,
              requests: '10',
              energyMicroWh: '2000000',
              carbonMicroGrams: '1000000',
              amountMicro: '1000',
              amount: '0.001000',
            },
            // u1 + u4
            {
              usefulnessClass: 'essential',
              model: 'gpt-x',
              kind: 'usage',
              lines: 2,
              requests: '140',
              energyMicroWh: '14000000',
              carbonMicroGrams: '7000000',
              amountMicro: '1750',
              amount: '0.001750',
            },
            {
              usefulnessClass: 'essential',
              model: 'gpt-x',
              kind: 'credit_note',
              lines: 1,
              requests: '0',
              energyMicroWh: '-4000000',
              carbonMicroGrams: '-2000000',
              amountMicro: '-500',
              amount: '-0.000500',
            },
            {
              usefulnessClass: 'essential',
              model: 'small-m',
              kind: 'usage',
              lines: 1,
              requests: '50',
              energyMicroWh: '1000000',
              carbonMicroGrams: '3000000',
              amountMicro: '250',
              amount: '0.000250',
            },
          ],
        },
      ],
      tree: [
        // own: 1250 + 1000 + 250 − 500
        {
          unitId: 'team-a',
          name: 'Team A',
          parentId: 'dept',
          depth: 0,
          archived: false,
          own: { EUR: '2000' },
          subtree: { EUR: '2500' },
        },
        {
          unitId: 'team-a1',
          name: 'Team A1',
          parentId: 'team-a',
          depth: 1,
          archived: false,
          own: { EUR: '500' },
          subtree: { EUR: '500' },
        },
      ],
      adjustments: [],
    });

    const dept = await reports.statement('dept', '2026-10');
    expect(dept.currencies.map((c) => [c.currency, c.totalMicro, c.lines])).toEqual([
      ['EUR', '3100', 6],
    ]);
    expect(dept.tree.map((node) => [node.unitId, node.depth, node.own, node.subtree])).toEqual([
      ['dept', 0, { EUR: '600' }, { EUR: '3100' }],
      ['team-a', 1, { EUR: '2000' }, { EUR: '2500' }],
      ['team-a1', 2, { EUR: '500' }, { EUR: '500' }],
      ['team-b', 1, {}, {}],
    ]);

    const alone = await reports.statement('team-a', '2026-10', { includeDescendants: false });
    expect(alone.currencies[0]?.totalMicro).toBe('2000');
    expect(alone.tree.map((node) => [node.unitId, node.own, node.subtree])).toEqual([
      ['team-a', { EUR: '2000' }, { EUR: '2000' }],
    ]);

    await expect(reports.statement('nobody', '2026-10')).rejects.toMatchObject({
      code: 'BILLING.UNIT_NOT_FOUND',
      status: 404,
    });
    await expect(reports.statement('team-a', '2026-13')).rejects.toBeInstanceOf(BillingError);
  });

  it('exports the journal lines exactly, and the CSV reads back to the same balanced totals', async () => {
    const exported = await reports.journal({ period: '2026-10' });
    const rows = await fx.query<Record<string, string>>(
      `SELECT entry_id, side, account, cost_centre, debit_micro::text AS debit, credit_micro::text AS credit,
              currency, entry_date::text AS date, reference, billing_period, unit_id, line_id
         FROM billing.journal_lines WHERE billing_period = '2026-10'
        ORDER BY global_position, entry_id, side = 'credit'`,
    );
    // 8 lines billed in October (7 usages + 1 credit note), 2 journal lines each.
    expect(rows).toHaveLength(16);
    expect(
      exported.lines.map((line) => ({
        entry_id: line.entryId,
        side: line.side,
        account: line.account,
        cost_centre: line.costCentre,
        debit: line.debitMicro,
        credit: line.creditMicro,
        currency: line.currency,
        date: line.date,
        reference: line.reference,
        billing_period: line.billingPeriod,
        unit_id: line.unitId,
        line_id: line.lineId,
      })),
    ).toEqual(rows);
    // Σ|amount| = 1250 + 1000 + 250 + 500 + 600 + 30_000 + 550 + |−500| = 34_650
    expect(exported.totals).toEqual({
      EUR: { debitMicro: '34650', creditMicro: '34650', debit: '0.034650', credit: '0.034650' },
    });
    const note = exported.lines.filter((line) => line.reference === `credit_note ${usageId('u1')}`);
    expect(
      note.map((line) => [
        line.side,
        line.account,
        line.costCentre,
        line.debitMicro,
        line.creditMicro,
      ]),
    ).toEqual([
      ['debit', fx.settings.carbonFundAccount, '', '500', '0'],
      ['credit', fx.settings.expenseAccount, 'team-a', '0', '500'],
    ]);

    const csv = await reports.journalCsv({ period: '2026-10' });
    const [header, ...records] = parseCsv(csv);
    expect(header).toEqual(exported.columns);
    expect(records).toHaveLength(16);
    const column = (name: string): number => (header as string[]).indexOf(name);
    const sums = new Map<string, { debit: bigint; credit: bigint }>();
    for (const record of records) {
      const currency = record[column('currency')] as string;
      const sum = sums.get(currency) ?? { debit: 0n, credit: 0n };
      sum.debit += micro(record[column('debit')] as string);
      sum.credit += micro(record[column('credit')] as string);
      sums.set(currency, sum);
    }
    expect(sums).toEqual(new Map([['EUR', { debit: 34_650n, credit: 34_650n }]]));
    expect(records.map((record) => record[column('entry_id')])).toEqual(
      rows.map((row) => row.entry_id),
    );

    const teamA = await reports.journal({
      period: '2026-10',
      currency: 'EUR',
      unitIds: ['team-a'],
    });
    // team-a: u1 1250, u2 1000, u3 250, note 500 → 3000 each side
    expect(teamA.lines).toHaveLength(8);
    expect(teamA.totals.EUR).toMatchObject({ debitMicro: '3000', creditMicro: '3000' });
    expect((await reports.journal({ period: '2026-10', currency: 'CHF' })).lines).toEqual([]);
    await expect(reports.journal({ period: '2026-10', currency: 'eur' })).rejects.toMatchObject({
      code: 'BILLING.INVALID_QUERY',
      status: 400,
    });
    await expect(reports.journal({ period: 'october' })).rejects.toMatchObject({
      code: 'BILLING.INVALID_PERIOD',
    });
  });

  it('reconciles recorded and billed usage exactly, and reports held usage as a difference', async () => {
    const october = await reports.reconciliation('2026-10');
    expect(october.status).toBe('match');
    expect(october.differences).toEqual([]);
    expect(october.units.map((unit) => unit.unitId)).toEqual([
      'dept',
      'lab',
      'ops',
      'team-a',
      'team-a1',
    ]);
    // team-a: u1 now 6 Wh / 3 g, u2 2 / 1, u3 1 / 3 → 9_000_000 µWh, 7_000_000 µg
    expect(october.units[3]).toEqual({
      unitId: 'team-a',
      recordedEnergyMicroWh: '9000000',
      recordedCarbonMicroGrams: '7000000',
      billedEnergyMicroWh: '9000000',
      billedCarbonMicroGrams: '7000000',
      energyDifferenceMicroWh: '0',
      carbonDifferenceMicroGrams: '0',
      heldUnpriced: 0,
      match: true,
    });

    const august = await reports.reconciliation('2026-08');
    expect(august).toEqual({
      period: '2026-08',
      status: 'differences',
      units: august.differences,
      differences: [
        {
          unitId: 'team-b',
          recordedEnergyMicroWh: '3000000',
          recordedCarbonMicroGrams: '1000000',
          billedEnergyMicroWh: '0',
          billedCarbonMicroGrams: '0',
          energyDifferenceMicroWh: '3000000',
          carbonDifferenceMicroGrams: '1000000',
          heldUnpriced: 1,
          match: false,
        },
      ],
      heldUsage: [
        {
          usageId: usageId('b-aug'),
          unitId: 'team-b',
          currency: 'EUR',
          occurredAt: '2026-08-15T10:00:00.000Z',
          energyMicroWh: '3000000',
          carbonMicroGrams: '1000000',
        },
      ],
    });
  });

  it('flags the rebound: energy per request fell while total energy rose', async () => {
    const report = await reports.rebound('2026-10');
    expect(report.period).toBe('2026-10');
    expect(report.previousPeriod).toBe('2026-09');
    expect(report.flagged).toEqual(['lab']);
    const row = (unitId: string, scope: 'unit' | 'subtree' = 'unit') =>
      report.rows.find((candidate) => candidate.unitId === unitId && candidate.scope === scope);
    // lab: 50 Wh / 100 req = 500_000 µWh per request → 70 Wh / 300 req = 233_333.333333…
    // per request (233_333.33 − 500_000) / 500_000 = −53.333 % ; total (70 − 50) / 50 = +40 %
    expect(row('lab')).toEqual({
      unitId: 'lab',
      name: 'Lab',
      scope: 'unit',
      current: {
        requests: '300',
        energyMicroWh: '70000000',
        energyPerRequestMicroWh: '233333.333333',
      },
      previous: {
        requests: '100',
        energyMicroWh: '50000000',
        energyPerRequestMicroWh: '500000.000000',
      },
      energyPerRequestChangePercent: '-53.33',
      totalEnergyChangePercent: '40.00',
      rebound: true,
    });
    // ops: per request 1_000_000 → 500_000 (−50 %), total 10 → 5 Wh (−50 %): efficiency, no rebound
    expect(row('ops')).toMatchObject({
      energyPerRequestChangePercent: '-50.00',
      totalEnergyChangePercent: '-50.00',
      rebound: false,
    });
    // team-a had no usage in September: no basis
    expect(row('team-a')).toMatchObject({
      current: {
        requests: '160',
        energyMicroWh: '9000000',
        energyPerRequestMicroWh: '56250.000000',
      },
      previous: { requests: '0', energyMicroWh: '0', energyPerRequestMicroWh: null },
      energyPerRequestChangePercent: null,
      totalEnergyChangePercent: null,
      rebound: false,
    });
    // roll-ups: team-a + team-a1 = 200 req, 13 Wh; dept adds its own 5 req, 1 Wh
    expect(row('team-a', 'subtree')?.current).toEqual({
      requests: '200',
      energyMicroWh: '13000000',
      energyPerRequestMicroWh: '65000.000000',
    });
    expect(row('dept', 'subtree')?.current).toEqual({
      requests: '205',
      energyMicroWh: '14000000',
      energyPerRequestMicroWh: '68292.682927',
    });
    expect(report.rows.map((r) => `${r.scope}:${r.unitId}`)).toEqual([
      'unit:dept',
      'unit:lab',
      'unit:ops',
      'unit:team-a',
      'unit:team-a1',
      'subtree:dept',
      'subtree:team-a',
    ]);
  });

  it('closes October: invoices, closed statement, late usage adjusting the invoice, periods', async () => {
    fx.clock.set(new Date('2026-11-02T09:00:00.000Z'));
    // August's usage predates every EUR version, so it is still held: October cannot close
    // (afterwards no version could be in force in August) until a version before the earliest
    // prices it: (100 + 600) × 0.5 = 350, billed in August.
    await expect(fx.periods.close('2026-10', FINANCE)).rejects.toMatchObject({
      code: 'BILLING.PERIOD_HAS_UNPRICED_USAGE',
      details: { period: '2026-10', heldUsage: { EUR: 1 } },
    });
    const backfill = await fx.schedules.publish(
      {
        currency: 'EUR',
        effectiveFrom: '2026-08-01T00:00:00.000Z',
        carbonPricePerTonne: '100',
        energyPricePerKwh: '0.2',
        classMultipliers: { essential: '0.5', comfort: '2' },
        defaultMultiplier: '1',
      },
      FINANCE,
    );
    expect(backfill.pricedHeldUsage).toBe(1);
    await fx.periods.close('2026-10', FINANCE);
    expect(await record(late)).toBe('charged');

    const invoices = await reports.invoices({ period: '2026-10' });
    // sorted by unit id: dept, lab, ops, team-a, team-a1
    expect(
      invoices.map((invoice) => [
        invoice.invoiceNumber,
        invoice.unitId,
        invoice.totalMicro,
        invoice.lineCount,
      ]),
    ).toEqual([
      ['INV-2026-10-0001', 'dept', '600', 1],
      ['INV-2026-10-0002', 'lab', '30000', 1],
      ['INV-2026-10-0003', 'ops', '550', 1],
      ['INV-2026-10-0004', 'team-a', '2000', 4],
      ['INV-2026-10-0005', 'team-a1', '500', 1],
    ]);
    expect(
      (await reports.invoices({ unitIds: ['team-a', 'team-a1'] })).map((i) => i.invoiceNumber),
    ).toEqual(['INV-2026-10-0004', 'INV-2026-10-0005']);
    const detail = await reports.invoice('INV-2026-10-0004');
    expect(detail).toMatchObject({
      total: '0.002000',
      currency: 'EUR',
      costCentre: 'team-a',
      sequence: 4,
    });
    // u1..u3 were booked at the same instant (then ordered by line id); the note after them
    expect(
      detail.lines
        .map((line) => [line.kind, line.amountMicro])
        .slice(0, 3)
        .sort(),
    ).toEqual([
      ['usage', '1000'],
      ['usage', '1250'],
      ['usage', '250'],
    ]);
    expect(detail.lines[3]).toMatchObject({
      kind: 'credit_note',
      amountMicro: '-500',
      usageId: usageId('u1'),
    });
    expect(detail.groups.reduce((sum, group) => sum + BigInt(group.amountMicro), 0n)).toBe(2000n);
    await expect(reports.invoice('INV-2026-10-0099')).rejects.toMatchObject({
      code: 'BILLING.INVOICE_NOT_FOUND',
    });

    expect((await reports.statement('team-a', '2026-10')).status).toBe('closed');
    const november = await reports.statement('team-a', '2026-11');
    expect(november.status).toBe('open');
    expect(november.currencies.map((c) => c.totalMicro)).toEqual(['300']);
    expect(november.adjustments).toEqual([
      expect.objectContaining({
        kind: 'usage',
        usageId: usageId('u6'),
        servicePeriod: '2026-10',
        adjustsInvoice: 'INV-2026-10-0004',
        amountMicro: '300',
        amount: '0.000300',
      }),
    ]);
    const novemberJournal = await reports.journal({ period: '2026-11' });
    expect(
      novemberJournal.lines.map((line) => [line.side, line.adjustsInvoice, line.invoiceNumber]),
    ).toEqual([
      ['debit', 'INV-2026-10-0004', null],
      ['credit', 'INV-2026-10-0004', null],
    ]);
    // the late usage is billed in November but reconciles in its service period, October
    expect((await reports.reconciliation('2026-10')).status).toBe('match');

    const periods = await reports.periods();
    expect(periods.map((p) => [p.period, p.status, p.lineCount, p.totals, p.heldUnpriced])).toEqual(
      [
        ['2026-08', 'open', 1, { EUR: { lines: 1, totalMicro: '350', total: '0.000350' } }, 0],
        ['2026-09', 'open', 2, { EUR: { lines: 2, totalMicro: '22100', total: '0.022100' } }, 0],
        ['2026-10', 'closed', 8, { EUR: { lines: 8, totalMicro: '33650', total: '0.033650' } }, 0],
        ['2026-11', 'open', 1, { EUR: { lines: 1, totalMicro: '300', total: '0.000300' } }, 0],
      ],
    );
    expect(periods[2]).toMatchObject({
      invoiceCount: 5,
      firstInvoice: 'INV-2026-10-0001',
      lastInvoice: 'INV-2026-10-0005',
      closedAt: '2026-11-02T09:00:00.000Z',
    });
  });

  it('rebuilds the books from the ledger to the same digest', async () => {
    const result = await reports.verifyReplay();
    const rows = await fx.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM billing.events',
    );
    expect(result.match).toBe(true);
    expect(result.live.digest).toBe(result.rebuilt.digest);
    expect(result.eventsApplied).toBe(rows[0]?.count);
    expect(result.live.rowCounts.charge_lines).toBe(12);
    const leftovers = await fx.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'billing_replay_%'`,
    );
    expect(leftovers).toEqual([]);
  });

  it('does not report a false mismatch while an older transaction is still open', async () => {
    fx.clock.set(new Date('2026-11-03T00:00:00.000Z'));
    const usage = (name: string): UsageSpec => ({
      name,
      unitId: 'ops',
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt: '2026-11-02T10:00:00.000Z',
      requests: 1n,
      energyMicroWh: 5_000n,
      carbonMicroGrams: 10_000n,
    });
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A takes its transaction id first and stays open; B commits after it.
    const slow = fx.store.transaction(async (tx) => {
      const outcome = await fx.charging.recordUsage(tx, usageId('slow'), recorded(usage('slow')));
      opened();
      await gate;
      return outcome;
    });
    await open;
    expect(await record(usage('fast'))).toBe('charged');
    const verification = reports.verifyReplay();
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect(await slow).toBe('charged');
    const result = await verification;
    const events = await fx.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM billing.events',
    );
    expect(result.match).toBe(true);
    expect(result.eventsApplied).toBe(events[0]?.count);
    expect(result.live.rowCounts.charge_lines).toBe(14);
  });

  it('replays up to the newest event when the transaction ids differ in digits (996 vs 1004)', async () => {
    // The e2e once saw head = (txid 996, position 1) among events of txids 1000+: the head was
    // picked by text order. An old finished event with one digit fewer than every billing event,
    // all nines (e.g. txid 999 beside 1004..), sorts after them as text; billing ignores its type.
    const ids = await fx.query<{ max: string }>(
      'SELECT max(transaction_id)::text AS max FROM billing.events',
    );
    const oldId = '9'.repeat((ids[0]?.max ?? '').length - 1);
    expect(oldId.length).toBeGreaterThan(0);
    await fx.query(
      `INSERT INTO billing.events
         (transaction_id, event_id, stream_id, stream_version, event_type, data, hash)
       VALUES ($1::text::xid8, 'old-history-1', 'old-history', 1, 'OldHistory', '{}', sha256('old'))`,
      [oldId],
    );
    const head = await fx.query<{ transaction_id: string; global_position: string }>(
      `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS global_position
         FROM billing.events e ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
    );
    const events = await fx.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM billing.events',
    );
    const result = await reports.verifyReplay();
    expect(result.checkpoint).toEqual({
      transactionId: head[0]?.transaction_id,
      globalPosition: head[0]?.global_position,
    });
    expect(result.eventsApplied).toBe(events[0]?.count);
    expect(result.match).toBe(true);
    expect(result.rebuilt.rowCounts.charge_lines).toBe(14);
  });

  it('reports an injected difference and a tampered row: reconciliation and replay both see it', async () => {
    // Deleting u4's line (team-a1, 4 Wh, 2 g) from the live books.
    await fx.query(`DELETE FROM billing.charge_lines WHERE usage_id = $1`, [usageId('u4')]);

    const reconciliation = await reports.reconciliation('2026-10');
    expect(reconciliation.status).toBe('differences');
    expect(reconciliation.differences).toEqual([
      {
        unitId: 'team-a1',
        recordedEnergyMicroWh: '4000000',
        recordedCarbonMicroGrams: '2000000',
        billedEnergyMicroWh: '0',
        billedCarbonMicroGrams: '0',
        energyDifferenceMicroWh: '4000000',
        carbonDifferenceMicroGrams: '2000000',
        heldUnpriced: 0,
        match: false,
      },
    ]);

    const replay = await reports.verifyReplay();
    expect(replay.match).toBe(false);
    expect(replay.live.digest).not.toBe(replay.rebuilt.digest);
    expect(replay.live.rowCounts.charge_lines).toBe(13);
    expect(replay.rebuilt.rowCounts.charge_lines).toBe(14);

    // A changed amount is caught too, with the row count unchanged.
    await fx.query(
      `UPDATE billing.charge_lines SET amount_micro = amount_micro + 1 WHERE usage_id = $1 AND kind = 'usage'`,
      [usageId('u5')],
    );
    const tampered = await reports.verifyReplay();
    expect(tampered.match).toBe(false);
  });

  it('gives a statement to a unit billing charged but the directory does not know', async () => {
    fx.clock.set(new Date('2026-11-06T00:00:00.000Z'));
    // Usage now waits until the directory knows its unit and use case (BILLING.DIRECTORY_BEHIND),
    // but books written before that rule can hold lines of a unit the directory never heard of:
    // made here by charging with the unit known, then removing it from the directory.
    await fx.organisation({
      units: [{ unitId: 'ghost', parentId: null }],
      useCases: [{ useCase: 'unlisted', className: 'unlisted' }],
    });
    // class 'unlisted' has no multiplier in the schedule → default 1: (200 + 200) × 1 = 400
    expect(
      await record({
        name: 'ghost-1',
        unitId: 'ghost',
        useCase: 'unlisted',
        model: 'gpt-x',
        occurredAt: '2026-11-05T10:00:00.000Z',
        requests: 1n,
        energyMicroWh: 1_000_000n,
        carbonMicroGrams: 2_000_000n,
      }),
    ).toBe('charged');
    await fx.query(`DELETE FROM billing.units WHERE unit_id = 'ghost'`);
    const statement = await reports.statement('ghost', '2026-11');
    expect(statement.tree).toEqual([
      {
        unitId: 'ghost',
        name: null,
        parentId: null,
        depth: 0,
        archived: false,
        own: { EUR: '400' },
        subtree: { EUR: '400' },
      },
    ]);
    expect(statement.currencies[0]?.groups).toEqual([
      {
        usefulnessClass: 'unlisted',
        model: 'gpt-x',
        kind: 'usage',
        lines: 1,
        requests: '1',
        energyMicroWh: '1000000',
        carbonMicroGrams: '2000000',
        amountMicro: '400',
        amount: '0.000400',
      },
    ]);
  });

  it('reports the rebound on a UTC day, hour or minute against the window just before it', async () => {
    fx.clock.set(new Date('2026-11-07T00:00:00.000Z'));
    await fx.organisation({
      units: [
        { unitId: 'sim', parentId: null, name: 'Sim' },
        { unitId: 'sim-lab', parentId: 'sim', name: 'Sim lab' },
        { unitId: 'sim-ops', parentId: 'sim', name: 'Sim ops' },
      ],
    });
    const usage = (
      name: string,
      unitId: string,
      occurredAt: string,
      requests: bigint,
      energyMicroWh: bigint,
    ): UsageSpec => ({
      name,
      unitId,
      useCase: 'support-bot',
      model: 'gpt-x',
      occurredAt,
      requests,
      energyMicroWh,
      carbonMicroGrams: 1_000_000n,
    });
    for (const spec of [
      usage('w-lab-1', 'sim-lab', '2026-11-02T09:15:00.000Z', 10n, 10_000_000n),
      usage('w-lab-2', 'sim-lab', '2026-11-02T10:04:00.000Z', 20n, 12_000_000n),
      usage('w-lab-3', 'sim-lab', '2026-11-02T10:05:59.999Z', 40n, 16_000_000n),
      usage('w-ops-1', 'sim-ops', '2026-11-01T12:00:00.000Z', 10n, 5_000_000n),
      // the first instant of the next minute: not in 10:05
      usage('w-ops-2', 'sim-ops', '2026-11-02T10:06:00.000Z', 10n, 2_000_000n),
    ])
      expect(await record(spec)).toBe('charged');
    const scope = ['sim', 'sim-lab', 'sim-ops'];
    const summary = (report: Awaited<ReturnType<BillingReports['rebound']>>) =>
      report.rows.map((row) => ({
        row: `${row.scope}:${row.unitId}`,
        requests: `${row.previous.requests} → ${row.current.requests}`,
        energy: `${row.previous.energyMicroWh} → ${row.current.energyMicroWh}`,
        perRequest: row.energyPerRequestChangePercent,
        total: row.totalEnergyChangePercent,
        rebound: row.rebound,
      }));

    // Hour 10 against hour 9: sim-lab 10 req / 10 Wh → 60 req / 28 Wh:
    // per request 1 000 000 → 466 666.67 µWh (−53.33 %), total +180 %: rebound.
    const hour = await reports.rebound('2026-11-02T10', scope);
    expect({ period: hour.period, previous: hour.previousPeriod, flagged: hour.flagged }).toEqual({
      period: '2026-11-02T10',
      previous: '2026-11-02T09',
      flagged: ['sim-lab'],
    });
    expect(summary(hour)).toEqual([
      {
        row: 'unit:sim-lab',
        requests: '10 → 60',
        energy: '10000000 → 28000000',
        perRequest: '-53.33',
        total: '180.00',
        rebound: true,
      },
      // no usage in hour 9: no basis
      {
        row: 'unit:sim-ops',
        requests: '0 → 10',
        energy: '0 → 2000000',
        perRequest: null,
        total: null,
        rebound: false,
      },
      // 70 req / 30 Wh against 10 req / 10 Wh
      {
        row: 'subtree:sim',
        requests: '10 → 70',
        energy: '10000000 → 30000000',
        perRequest: '-57.14',
        total: '200.00',
        rebound: true,
      },
    ]);

    // Minute 10:05 against 10:04: 20 req / 12 Wh → 40 req / 16 Wh (600 000 → 400 000 per request).
    const minute = await reports.rebound('2026-11-02T10:05', scope);
    expect(minute.previousPeriod).toBe('2026-11-02T10:04');
    expect(minute.flagged).toEqual(['sim-lab']);
    expect(summary(minute).map((row) => [row.row, row.perRequest, row.total])).toEqual([
      ['unit:sim-lab', '-33.33', '33.33'],
      ['subtree:sim', '-33.33', '33.33'],
    ]);

    // Day 2 against day 1: sim-ops 10 req / 5 Wh → 10 req / 2 Wh: less energy, no rebound.
    const day = await reports.rebound('2026-11-02', scope);
    expect(day.previousPeriod).toBe('2026-11-01');
    expect(day.flagged).toEqual([]);
    expect(summary(day).find((row) => row.row === 'unit:sim-ops')).toMatchObject({
      requests: '10 → 10',
      energy: '5000000 → 2000000',
      perRequest: '-60.00',
      total: '-60.00',
      rebound: false,
    });

    await expect(reports.rebound('2026-11-02T25', scope)).rejects.toMatchObject({
      code: 'BILLING.INVALID_PERIOD',
    });
  });
});
