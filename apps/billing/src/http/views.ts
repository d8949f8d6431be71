// Response shapes, for the OpenAPI document only: the controllers return the services' views
// through `present` (amounts as micro-unit strings `…Micro` plus 6-decimal display strings),
// which these classes describe with realistic examples.
import { ApiProperty } from '@nestjs/swagger';
import { ledgerVerifyView } from '@plafond/platform';
import { JOURNAL_CSV_COLUMNS } from '../domain/csv';

const object = (description: string, example: unknown) =>
  ApiProperty({ type: 'object', additionalProperties: true, description, example });
const array = (description: string, example: unknown[]) =>
  ApiProperty({ type: 'array', items: { type: 'object' }, description, example });

export const SCHEDULE_VIEW_EXAMPLE = {
  currency: 'EUR',
  version: 2,
  effectiveFrom: '2026-11-01T00:00:00.000Z',
  carbonPricePerTonne: '85.000000',
  carbonPricePerTonneMicro: '85000000',
  energyPricePerKwh: '0.020000',
  energyPricePerKwhMicro: '20000',
  classMultipliers: { essential: '1.000000', useful: '1.250000', discretionary: '2.000000' },
  classMultipliersPpm: { essential: '1000000', useful: '1250000', discretionary: '2000000' },
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
  reason: 'FY27 internal carbon price approved by the CFO',
};

export class PriceScheduleView {
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) effectiveFrom!: string;
  @ApiProperty({ description: 'Display decimal (6 decimals).', example: '85.000000' })
  carbonPricePerTonne!: string;
  @ApiProperty({
    description: 'Exact: micro-units of the currency per tonne.',
    example: '85000000',
  })
  carbonPricePerTonneMicro!: string;
  @ApiProperty({ nullable: true, type: String, example: '0.020000' })
  energyPricePerKwh!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '20000' })
  energyPricePerKwhMicro!: string | null;
  @object('Multiplier per usefulness class (display).', SCHEDULE_VIEW_EXAMPLE.classMultipliers)
  classMultipliers!: Record<string, string>;
  @object(
    'Multiplier per class, parts per million (exact).',
    SCHEDULE_VIEW_EXAMPLE.classMultipliersPpm,
  )
  classMultipliersPpm!: Record<string, string>;
  @ApiProperty({ example: '1.000000' }) defaultMultiplier!: string;
  @ApiProperty({ example: '1000000' }) defaultMultiplierPpm!: string;
  @array('Overrun surcharge tiers, ascending.', SCHEDULE_VIEW_EXAMPLE.overrunTiers)
  overrunTiers!: Record<string, string>[];
  @ApiProperty({ nullable: true, type: String, example: SCHEDULE_VIEW_EXAMPLE.reason })
  reason!: string | null;
}

export class PublicationView {
  @ApiProperty({ type: PriceScheduleView, example: SCHEDULE_VIEW_EXAMPLE })
  schedule!: PriceScheduleView;

  @ApiProperty({
    description: 'Held (unpriced) usage this version priced, in the same transaction.',
    example: 3,
  })
  pricedHeldUsage!: number;
}

export class BillingProfileView {
  @ApiProperty({ example: 'team-search' }) unitId!: string;
  @object('The unit’s own profile, null when it inherits.', {
    unitId: 'team-search',
    currency: 'EUR',
    costCentre: 'CC-4100-SEARCH',
  })
  own!: Record<string, string> | null;
  @object('What applies: its own, the nearest ancestor’s (inheritedFrom), or the default (null).', {
    currency: 'EUR',
    costCentre: 'CC-4100-RETAIL',
    inheritedFrom: 'bu-retail',
  })
  effective!: Record<string, string | null>;
}

export class BillingProfileSetView {
  @ApiProperty({ example: 'bu-retail' }) unitId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 'CC-4100-RETAIL' }) costCentre!: string;
}

const GROUP_EXAMPLE = {
  usefulnessClass: 'useful',
  model: 'gpt-4o-mini',
  kind: 'usage',
  lines: 412,
  requests: '412',
  energyMicroWh: '1648000000',
  carbonMicroGrams: '494400000',
  amountMicro: '52530000',
  amount: '52.530000',
};

export class StatementView {
  @ApiProperty({ example: 'bu-retail' }) unitId!: string;
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ enum: ['open', 'closed'], example: 'open' }) status!: string;
  @array('Per currency: total and lines grouped by class, model and kind.', [
    { currency: 'EUR', totalMicro: '52530000', total: '52.530000', groups: [GROUP_EXAMPLE] },
  ])
  currencies!: Record<string, unknown>[];
  @array('The unit tree with own and subtree totals per currency (micro strings).', [
    {
      unitId: 'bu-retail',
      name: 'Retail',
      parentId: 'acme',
      depth: 0,
      own: {},
      subtree: { EUR: '52530000' },
    },
  ])
  tree!: Record<string, unknown>[];
  @array('Lines that adjust an invoice of a closed period.', [
    {
      lineId: '6f1c…',
      kind: 'usage',
      servicePeriod: '2026-10',
      adjustsInvoice: 'INV-2026-10-0003',
      amountMicro: '1250000',
      amount: '1.250000',
    },
  ])
  adjustments!: Record<string, unknown>[];
}

export const INVOICE_EXAMPLE = {
  invoiceNumber: 'INV-2026-11-0001',
  sequence: 1,
  period: '2026-11',
  unitId: 'team-search',
  currency: 'EUR',
  costCentre: 'CC-4100-SEARCH',
  groups: [GROUP_EXAMPLE],
  adjustsInvoices: [],
  lineCount: 412,
  totalMicro: '52530000',
  total: '52.530000',
  issuedAt: '2026-12-02T09:00:00.000Z',
};

export class InvoiceView {
  @ApiProperty({ example: 'INV-2026-11-0001' }) invoiceNumber!: string;
  @ApiProperty({ example: 1 }) sequence!: number;
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ example: 'team-search' }) unitId!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 'CC-4100-SEARCH' }) costCentre!: string;
  @array('Lines grouped by kind, usefulness class and model.', [GROUP_EXAMPLE])
  groups!: Record<string, unknown>[];
  @ApiProperty({ type: [String], example: ['INV-2026-10-0003'] }) adjustsInvoices!: string[];
  @ApiProperty({ example: 412 }) lineCount!: number;
  @ApiProperty({ example: '52530000' }) totalMicro!: string;
  @ApiProperty({ example: '52.530000' }) total!: string;
  @ApiProperty({ example: '2026-12-02T09:00:00.000Z' }) issuedAt!: string;
}

export const PERIOD_CLOSED_EXAMPLE = {
  period: '2026-11',
  invoiceCount: 7,
  firstInvoice: 'INV-2026-11-0001',
  lastInvoice: 'INV-2026-11-0007',
  totalsMicro: { EUR: '1830450000' },
  totals: { EUR: '1830.450000' },
  closedAt: '2026-12-02T09:00:00.000Z',
  reason: 'November 2026 month-end close',
};

export class PeriodCloseView {
  @object('The PeriodClosed record.', PERIOD_CLOSED_EXAMPLE)
  period!: Record<string, unknown>;
  @ApiProperty({ type: [InvoiceView], example: [INVOICE_EXAMPLE] })
  invoices!: InvoiceView[];
}

export class PeriodRowView {
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ enum: ['open', 'closed'], example: 'closed' }) status!: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-12-02T09:00:00.000Z' })
  closedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 7 }) invoiceCount!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'INV-2026-11-0001' })
  firstInvoice!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'INV-2026-11-0007' })
  lastInvoice!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'November 2026 month-end close' })
  reason!: string | null;
  @ApiProperty({ description: 'Charge lines billed in the period.', example: 2811 })
  lineCount!: number;
  @object('Per currency: lines, totalMicro and total.', {
    EUR: { lines: 2811, totalMicro: '1830450000', total: '1830.450000' },
  })
  totals!: Record<string, Record<string, unknown>>;
  @ApiProperty({
    description: 'Usage of the period still held for want of a schedule.',
    example: 0,
  })
  heldUnpriced!: number;
}

export const JOURNAL_LINE_EXAMPLE = {
  entryId: '5d0e7c1e-2c8b-5f5e-9b3a-0c1d2e3f4a5b',
  side: 'debit',
  account: '6980-AI-CARBON',
  costCentre: 'CC-4100-SEARCH',
  debitMicro: '127500',
  debit: '0.127500',
  creditMicro: '0',
  credit: '0.000000',
  currency: 'EUR',
  entryDate: '2026-11-14',
  reference: 'usage urn:acme:gateway#e-1',
  billingPeriod: '2026-11',
  unitId: 'team-search',
  lineId: '5d0e7c1e-2c8b-5f5e-9b3a-0c1d2e3f4a5b',
  invoiceNumber: 'INV-2026-11-0001',
  adjustsInvoice: null,
};

export class JournalExportView {
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({
    type: [String],
    description: 'The CSV columns, in order (docs/billing-api.md).',
    example: [...JOURNAL_CSV_COLUMNS],
  })
  columns!: string[];
  @array('Journal lines in ledger order, debit before credit.', [JOURNAL_LINE_EXAMPLE])
  lines!: Record<string, unknown>[];
  @object('Per currency: Σ debit and Σ credit (always equal), display and micro.', {
    EUR: { debit: '0.127500', credit: '0.127500', debitMicro: '127500', creditMicro: '127500' },
  })
  totals!: Record<string, Record<string, string>>;
}

export class ReconciliationView {
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ enum: ['match', 'differences'], example: 'differences' }) status!: string;
  @array('Per unit: recorded usage (energy, carbon) against billed usage.', [
    {
      unitId: 'team-search',
      recordedEnergyMicroWh: '1648000000',
      recordedCarbonMicroGrams: '494400000',
      billedEnergyMicroWh: '1644000000',
      billedCarbonMicroGrams: '493200000',
      energyDifferenceMicroWh: '4000000',
      carbonDifferenceMicroGrams: '1200000',
      heldUnpriced: 1,
      match: false,
    },
  ])
  units!: Record<string, unknown>[];
  @array('The units whose recorded and billed figures differ (same shape).', [])
  differences!: Record<string, unknown>[];
  @array('Usage of the period held for want of a price schedule.', [
    {
      usageId: '/plafond/ingestion#ingest-7f3a',
      unitId: 'team-search',
      currency: 'EUR',
      occurredAt: '2026-11-03T10:00:00.000Z',
      energyMicroWh: '4000000',
      carbonMicroGrams: '1200000',
    },
  ])
  heldUsage!: Record<string, unknown>[];
}

const REBOUND_FIGURES = (requests: string, energy: string, perRequest: string) => ({
  requests,
  energyMicroWh: energy,
  energyPerRequestMicroWh: perRequest,
});

export class ReboundView {
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ example: '2026-10' }) previousPeriod!: string;
  @array(
    'Per unit (scope unit) then per subtree (scope subtree): requests, energy and energy per ' +
      'request now and in the previous period, both changes in percent (2 decimals, signed), ' +
      'and the rebound flag.',
    [
      {
        unitId: 'team-search',
        name: 'Search',
        scope: 'unit',
        current: REBOUND_FIGURES('1200', '3000000000', '2500000.000000'),
        previous: REBOUND_FIGURES('800', '2400000000', '3000000.000000'),
        energyPerRequestChangePercent: '-16.67',
        totalEnergyChangePercent: '25.00',
        rebound: true,
      },
    ],
  )
  rows!: Record<string, unknown>[];
  @ApiProperty({
    type: [String],
    description: 'Units whose own usage rebounds.',
    example: ['team-search'],
  })
  flagged!: string[];
}

export class ReplayView {
  @ApiProperty({ example: 'billing-books' }) projection!: string;
  @ApiProperty({ example: 1842 }) eventsApplied!: number;
  @object('The ledger head both digests were taken at.', {
    transactionId: '91234',
    globalPosition: '1842',
  })
  checkpoint!: Record<string, string>;
  @object('Digest and row counts of the live tables.', {
    digest: '9f2c4e…',
    rowCounts: { charge_lines: 1203, journal_lines: 2406, invoices: 7 },
  })
  live!: Record<string, unknown>;
  @object('Digest and row counts rebuilt from the ledger.', {
    digest: '9f2c4e…',
    rowCounts: { charge_lines: 1203, journal_lines: 2406, invoices: 7 },
  })
  rebuilt!: Record<string, unknown>;
  @ApiProperty({ example: true }) match!: boolean;
}

export const LedgerVerifyView = ledgerVerifyView({ eventsChecked: 1842, streamsChecked: 377 });
