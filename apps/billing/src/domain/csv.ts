// RFC 4180 CSV for general-ledger import, guarded against formula injection.
import { formatMicro } from './money';
import type { JournalLine } from './journal';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/**
 * One cell: a text starting with = + - @ TAB or CR is prefixed with `'` so a spreadsheet does not
 * run it as a formula (plain decimal numbers such as "-1.500000" are left alone); quoted when it
 * holds a comma, a quote, CR or LF (quotes doubled).
 */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** Header and rows, CRLF after every record (including the last). */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const records = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return records.map((record) => `${record}\r\n`).join('');
}

/**
 * Reads what `toCsv` writes (RFC 4180: quoted fields, doubled quotes, CRLF after every record),
 * cells as written (a formula guard `'` stays). Throws when the text does not end with CRLF.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else field += char;
  }
  if (quoted || field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  return records;
}

export const JOURNAL_CSV_COLUMNS = [
  'date',
  'account',
  'cost_centre',
  'debit',
  'credit',
  'currency',
  'reference',
  'entry_id',
  'billing_period',
  'unit_id',
  'invoice_number',
  'adjusts_invoice',
] as const;

export type JournalExportLine = JournalLine & {
  invoiceNumber: string | null;
  adjustsInvoice: string | null;
};

/** One CSV row in JOURNAL_CSV_COLUMNS order; amounts as decimals with 6 places. */
export function journalCsvRow(line: JournalExportLine): string[] {
  return [
    line.entryDate,
    line.account,
    line.costCentre,
    formatMicro(line.debitMicro),
    formatMicro(line.creditMicro),
    line.currency,
    line.reference,
    line.entryId,
    line.billingPeriod,
    line.unitId,
    line.invoiceNumber ?? '',
    line.adjustsInvoice ?? '',
  ];
}
