import { compareJournalTotals, journalCsvTotals, netChargedMicro, parseCsv } from './journal-csv';

const HEADER =
  'date,account,cost_centre,debit,credit,currency,reference,entry_id,billing_period,unit_id,invoice_number,adjusts_invoice';

function csv(...rows: string[]): string {
  return [HEADER, ...rows].map((row) => `${row}\r\n`).join('');
}

describe('parseCsv', () => {
  it('reads quoted cells, doubled quotes, commas and line breaks inside quotes', () => {
    expect(parseCsv('a,"b,c","say ""hi""","x\r\ny",\r\n1,2,3,4,5\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'x\r\ny', ''],
      ['1', '2', '3', '4', '5'],
    ]);
  });

  it('refuses a text that does not end with CRLF or ends inside quotes', () => {
    expect(() => parseCsv('a,b\r\nc')).toThrow('does not end with CRLF');
    expect(() => parseCsv('a,"b\r\n')).toThrow('inside a quoted cell');
  });
});

describe('journalCsvTotals', () => {
  const text = csv(
    '2026-11-29,6980-AI-CARBON,CC-BU-DIGITAL,0.000262,0.000000,EUR,usage /x#1,e1,2026-11,u1,,',
    '2026-11-29,4890-CARBON-FUND,,0.000000,0.000262,EUR,usage /x#1,e1,2026-11,u1,,',
    '2026-11-29,6980-AI-CARBON,"CC-1,2",1.500000,0.000000,CHF,"usage /x#""2""",e2,2026-11,u2,,',
    '2026-11-29,4890-CARBON-FUND,,0.000000,1.500000,CHF,usage /x#2,e2,2026-11,u2,,',
    "2026-11-29,6980-AI-CARBON,'=cc,0.000001,0.000000,EUR,usage /x#3,e3,2026-11,u1,,",
    '2026-11-29,4890-CARBON-FUND,,0.000000,0.000001,EUR,usage /x#3,e3,2026-11,u1,,',
  );

  it('sums debits and credits per currency exactly', () => {
    const summary = journalCsvTotals(text);
    expect(summary.rows).toBe(6);
    expect(summary.totals.get('EUR')).toEqual({ debitMicro: 263n, creditMicro: 263n, rows: 4 });
    expect(summary.totals.get('CHF')).toEqual({
      debitMicro: 1_500_000n,
      creditMicro: 1_500_000n,
      rows: 2,
    });
  });

  it('matches the JSON export totals, and names every difference', () => {
    const summary = journalCsvTotals(text);
    expect(
      compareJournalTotals(summary, {
        EUR: { debitMicro: '263', creditMicro: '263' },
        CHF: { debitMicro: '1500000', creditMicro: '1500000' },
      }),
    ).toEqual({ match: true, differences: [] });
    expect(
      compareJournalTotals(summary, {
        EUR: { debitMicro: '264', creditMicro: '263' },
        USD: { debitMicro: '1', creditMicro: '1' },
      }),
    ).toEqual({
      match: false,
      differences: [
        'CHF: only in the CSV export',
        'EUR: CSV debits 263 µ ≠ JSON 264 µ',
        'USD: only in the JSON export',
      ],
    });
  });

  it('an empty period is a header only: no totals', () => {
    expect(journalCsvTotals(csv())).toEqual({ rows: 0, totals: new Map() });
  });

  it('refuses a file without the amount columns or with a short row', () => {
    expect(() => journalCsvTotals('date,debit\r\n')).toThrow('no "credit" column');
    expect(() => journalCsvTotals(csv('2026-11-29,x,,0.1'))).toThrow('CSV row 2 has 4 cells');
    expect(() => journalCsvTotals('')).toThrow('empty');
  });
});

describe('netChargedMicro', () => {
  it('charges minus credit notes on the expense side, per currency', () => {
    const text = csv(
      '2026-11-29,EXP,CC-1,0.000500,0.000000,EUR,usage /x#1,e1,2026-11,u1,,',
      '2026-11-29,FUND,,0.000000,0.000500,EUR,usage /x#1,e1,2026-11,u1,,',
      '2026-11-29,EXP,CC-1,0.000000,0.000200,EUR,credit_note /x#1,e2,2026-11,u1,,',
      '2026-11-29,FUND,,0.000200,0.000000,EUR,credit_note /x#1,e2,2026-11,u1,,',
      '2026-11-29,EXP,CC-2,2.000000,0.000000,CHF,usage /x#2,e3,2026-11,u2,,',
      '2026-11-29,FUND,,0.000000,2.000000,CHF,usage /x#2,e3,2026-11,u2,,',
    );
    expect(netChargedMicro(text)).toEqual(
      new Map([
        ['EUR', 300n],
        ['CHF', 2_000_000n],
      ]),
    );
  });
});
