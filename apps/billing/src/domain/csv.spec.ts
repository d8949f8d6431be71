import { JOURNAL_CSV_COLUMNS, csvCell, journalCsvRow, parseCsv, toCsv } from './csv';
import { journalEntry } from './journal';

describe('csv', () => {
  it('quotes per RFC 4180 with CRLF records', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', ''],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n');
    expect(toCsv(['only'], [])).toBe('only\r\n');
  });
  it('reads back what it writes, cells as written', () => {
    const rows = [
      ['x,y', 'say "hi"', ''],
      ['line\nbreak', 'a\r\nb', '=1,2'],
    ];
    expect(parseCsv(toCsv(['a', 'b', 'c'], rows))).toEqual([
      ['a', 'b', 'c'],
      ['x,y', 'say "hi"', ''],
      ['line\nbreak', 'a\r\nb', "'=1,2"],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(() => parseCsv('a,b')).toThrow('CSV does not end with CRLF');
    expect(() => parseCsv('"a\r\n')).toThrow('CSV does not end with CRLF');
  });
  it('guards text cells against formula injection but keeps plain numbers', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-foo')).toBe("'-foo");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
    expect(csvCell('-1.500000')).toBe('-1.500000');
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('')).toBe('');
  });
  it('renders a journal line in the documented column order', () => {
    const [debit, credit] = journalEntry({
      lineId: 'l-1',
      amountMicro: -1_000_001n,
      currency: 'EUR',
      costCentre: '=HYPERLINK("x")',
      bookedAt: '2026-12-02T08:00:00Z',
      billingPeriod: '2026-12',
      unitId: 'unit-a',
      reference: 'credit_note urn:acme#e-1',
      accounts: { expense: '6150', carbonFund: '4890' },
    });
    if (debit === undefined || credit === undefined) throw new Error('two lines expected');
    const rows = [
      journalCsvRow({ ...debit, invoiceNumber: null, adjustsInvoice: 'INV-2026-11-0001' }),
      journalCsvRow({
        ...credit,
        invoiceNumber: 'INV-2026-12-0003',
        adjustsInvoice: 'INV-2026-11-0001',
      }),
    ];
    expect(JOURNAL_CSV_COLUMNS).toHaveLength(rows[0]?.length ?? 0);
    expect(toCsv(JOURNAL_CSV_COLUMNS, rows)).toBe(
      'date,account,cost_centre,debit,credit,currency,reference,entry_id,billing_period,unit_id,invoice_number,adjusts_invoice\r\n' +
        '2026-12-02,4890,,1.000001,0.000000,EUR,credit_note urn:acme#e-1,l-1,2026-12,unit-a,,INV-2026-11-0001\r\n' +
        '2026-12-02,6150,"\'=HYPERLINK(""x"")",0.000000,1.000001,EUR,credit_note urn:acme#e-1,l-1,2026-12,unit-a,INV-2026-12-0003,INV-2026-11-0001\r\n',
    );
  });
});
