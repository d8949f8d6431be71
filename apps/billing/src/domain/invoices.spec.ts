import {
  assembleInvoices,
  invoiceNumber,
  periodClosedData,
  type InvoiceSourceLine,
} from './invoices';

const line = (over: Partial<InvoiceSourceLine> & { lineId: string }): InvoiceSourceLine => ({
  kind: 'usage',
  unitId: 'u-a',
  currency: 'EUR',
  costCentre: 'CC-1',
  bookedAt: '2026-11-10T00:00:00.000Z',
  usefulnessClass: 'high',
  model: 'm-1',
  requests: 1n,
  energyMicroWh: 10n,
  carbonMicroGrams: 100n,
  amountMicro: 1000n,
  adjustsInvoice: null,
  ...over,
});

describe('invoiceNumber', () => {
  it('pads the sequence to 4 digits, more when needed', () => {
    expect(invoiceNumber('2026-11', 1)).toBe('INV-2026-11-0001');
    expect(invoiceNumber('2026-11', 9999)).toBe('INV-2026-11-9999');
    expect(invoiceNumber('2026-11', 12345)).toBe('INV-2026-11-12345');
    expect(() => invoiceNumber('2026-11', 0)).toThrow(RangeError);
  });
});

describe('assembleInvoices', () => {
  const lines: InvoiceSourceLine[] = [
    line({ lineId: 'b1', unitId: 'u-b' }),
    line({ lineId: 'a-usd', unitId: 'u-a', currency: 'USD', amountMicro: 7n }),
    line({ lineId: 'a3', bookedAt: '2026-11-20T00:00:00.000Z', costCentre: 'CC-new', model: null }),
    line({ lineId: 'a1', usefulnessClass: null, amountMicro: 5n }),
    line({ lineId: 'a2', amountMicro: 10n, requests: 2n }),
    line({
      lineId: 'a4',
      kind: 'credit_note',
      bookedAt: '2026-11-05T00:00:00.000Z',
      costCentre: 'CC-old',
      requests: 0n,
      energyMicroWh: -3n,
      carbonMicroGrams: -30n,
      amountMicro: -4n,
      adjustsInvoice: 'INV-2026-10-0002',
    }),
    line({
      lineId: 'a5',
      kind: 'surcharge',
      requests: 0n,
      energyMicroWh: 0n,
      carbonMicroGrams: 0n,
      amountMicro: 3n,
    }),
    line({ lineId: 'C1', unitId: 'U-c', adjustsInvoice: 'INV-2026-10-0001' }),
  ];
  const invoices = assembleInvoices('2026-11', lines, '2026-12-01T09:00:00.000Z');

  it('numbers one invoice per (unit, currency) without gaps, in code-point order', () => {
    expect(invoices.map((i) => [i.sequence, i.invoiceNumber, i.unitId, i.currency])).toEqual([
      [1, 'INV-2026-11-0001', 'U-c', 'EUR'],
      [2, 'INV-2026-11-0002', 'u-a', 'EUR'],
      [3, 'INV-2026-11-0003', 'u-a', 'USD'],
      [4, 'INV-2026-11-0004', 'u-b', 'EUR'],
    ]);
  });
  it('totals, counts and groups lines by kind, class and model (nulls first)', () => {
    const ua = invoices[1];
    expect(ua).toEqual({
      invoiceNumber: 'INV-2026-11-0002',
      sequence: 2,
      period: '2026-11',
      unitId: 'u-a',
      currency: 'EUR',
      costCentre: 'CC-new',
      groups: [
        {
          kind: 'usage',
          usefulnessClass: null,
          model: 'm-1',
          lines: 1,
          requests: '1',
          energyMicroWh: '10',
          carbonMicroGrams: '100',
          amountMicro: '5',
        },
        {
          kind: 'usage',
          usefulnessClass: 'high',
          model: null,
          lines: 1,
          requests: '1',
          energyMicroWh: '10',
          carbonMicroGrams: '100',
          amountMicro: '1000',
        },
        {
          kind: 'usage',
          usefulnessClass: 'high',
          model: 'm-1',
          lines: 1,
          requests: '2',
          energyMicroWh: '10',
          carbonMicroGrams: '100',
          amountMicro: '10',
        },
        {
          kind: 'surcharge',
          usefulnessClass: 'high',
          model: 'm-1',
          lines: 1,
          requests: '0',
          energyMicroWh: '0',
          carbonMicroGrams: '0',
          amountMicro: '3',
        },
        {
          kind: 'credit_note',
          usefulnessClass: 'high',
          model: 'm-1',
          lines: 1,
          requests: '0',
          energyMicroWh: '-3',
          carbonMicroGrams: '-30',
          amountMicro: '-4',
        },
      ],
      adjustsInvoices: ['INV-2026-10-0002'],
      lineCount: 5,
      totalMicro: '1014',
      issuedAt: '2026-12-01T09:00:00.000Z',
    });
  });
  it('takes the cost centre of the latest line, ties broken by lineId', () => {
    const tied = assembleInvoices(
      '2026-11',
      [line({ lineId: 'z', costCentre: 'CC-z' }), line({ lineId: 'y', costCentre: 'CC-y' })],
      '2026-12-01T00:00:00.000Z',
    );
    expect(tied[0]?.costCentre).toBe('CC-z');
  });
  it('is empty without lines', () => {
    expect(assembleInvoices('2026-11', [], '2026-12-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('periodClosedData', () => {
  it('summarises the invoices', () => {
    const invoices = assembleInvoices(
      '2026-11',
      [
        line({ lineId: '1', unitId: 'a', amountMicro: 10n }),
        line({ lineId: '2', unitId: 'b', amountMicro: -3n }),
        line({ lineId: '3', unitId: 'b', currency: 'CHF', amountMicro: 4n }),
      ],
      '2026-12-01T00:00:00.000Z',
    );
    const closed = periodClosedData('2026-11', invoices, '2026-12-01T00:00:00.000Z', 'month end');
    expect(closed).toEqual({
      period: '2026-11',
      invoiceCount: 3,
      firstInvoice: 'INV-2026-11-0001',
      lastInvoice: 'INV-2026-11-0003',
      totalsMicro: { CHF: '4', EUR: '7' },
      closedAt: '2026-12-01T00:00:00.000Z',
      reason: 'month end',
    });
    expect(Object.keys(closed.totalsMicro)).toEqual(['CHF', 'EUR']);
    expect(periodClosedData('2026-10', [], '2026-12-01T00:00:00.000Z', null)).toEqual({
      period: '2026-10',
      invoiceCount: 0,
      firstInvoice: null,
      lastInvoice: null,
      totalsMicro: {},
      closedAt: '2026-12-01T00:00:00.000Z',
      reason: null,
    });
  });
});
