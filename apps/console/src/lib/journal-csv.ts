// Reads the journal CSV the billing service exports (docs/billing-api.md, "Journal CSV columns")
// and totals it exactly, so the console can show — and the browser test can check — that the file
// a user downloaded adds up to the JSON export's totals.
import { decimalToMicro } from './format';

/** RFC 4180 as billing writes it: quoted cells, doubled quotes, CRLF after every record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quoted) {
      if (char === '"' && text.charAt(index + 1) === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text.charAt(index + 1) === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else field += char;
  }
  if (quoted) throw new Error('CSV ends inside a quoted cell');
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  return records;
}

function withHeader(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new Error('the CSV is empty (no header)');
  return { header, rows };
}

function columnOf(header: readonly string[], name: string): number {
  const index = header.indexOf(name);
  if (index < 0) throw new Error(`the CSV has no "${name}" column`);
  return index;
}

export interface CurrencyTotals {
  debitMicro: bigint;
  creditMicro: bigint;
  rows: number;
}

export interface JournalCsvSummary {
  rows: number;
  /** By currency code, exact. */
  totals: Map<string, CurrencyTotals>;
}

const REQUIRED_COLUMNS = ['debit', 'credit', 'currency'] as const;

/** Σ debit and Σ credit per currency of a journal CSV. Throws when the header lacks a column. */
export function journalCsvTotals(text: string): JournalCsvSummary {
  const { header, rows } = withHeader(text);
  const [debitAt, creditAt, currencyAt] = REQUIRED_COLUMNS.map((name) =>
    columnOf(header, name),
  ) as [number, number, number];
  const totals = new Map<string, CurrencyTotals>();
  rows.forEach((row, index) => {
    const currency = row[currencyAt];
    const debit = row[debitAt];
    const credit = row[creditAt];
    if (currency === undefined || debit === undefined || credit === undefined) {
      throw new Error(`CSV row ${index + 2} has ${row.length} cells`);
    }
    const entry = totals.get(currency) ?? { debitMicro: 0n, creditMicro: 0n, rows: 0 };
    entry.debitMicro += decimalToMicro(debit);
    entry.creditMicro += decimalToMicro(credit);
    entry.rows += 1;
    totals.set(currency, entry);
  });
  return { rows: rows.length, totals };
}

/** The JSON export's `totals`: per currency, micro strings. */
export type JsonJournalTotals = Record<string, { debitMicro: string; creditMicro: string }>;

export interface TotalsComparison {
  match: boolean;
  /** One sentence per difference, empty when they match. */
  differences: string[];
}

/** Same currencies, same Σ debit and Σ credit in each; and in each, debits equal credits. */
export function compareJournalTotals(
  csv: JournalCsvSummary,
  json: JsonJournalTotals,
): TotalsComparison {
  const differences: string[] = [];
  const currencies = new Set([...csv.totals.keys(), ...Object.keys(json)]);
  for (const currency of [...currencies].sort()) {
    const fromCsv = csv.totals.get(currency);
    const fromJson = json[currency];
    if (fromCsv === undefined || fromJson === undefined) {
      differences.push(`${currency}: only in the ${fromCsv === undefined ? 'JSON' : 'CSV'} export`);
      continue;
    }
    if (fromCsv.debitMicro !== BigInt(fromJson.debitMicro)) {
      differences.push(
        `${currency}: CSV debits ${fromCsv.debitMicro} µ ≠ JSON ${fromJson.debitMicro} µ`,
      );
    }
    if (fromCsv.creditMicro !== BigInt(fromJson.creditMicro)) {
      differences.push(
        `${currency}: CSV credits ${fromCsv.creditMicro} µ ≠ JSON ${fromJson.creditMicro} µ`,
      );
    }
    if (fromCsv.debitMicro !== fromCsv.creditMicro) {
      differences.push(`${currency}: CSV debits and credits differ`);
    }
  }
  return { match: differences.length === 0, differences };
}

/**
 * Net amount charged per currency: Σ (debit − credit) over the expense-side rows (those with a
 * cost centre). For a unit and period it equals the statement's total (charges minus credit
 * notes); the carbon-fund side mirrors it.
 */
export function netChargedMicro(text: string): Map<string, bigint> {
  const { header, rows } = withHeader(text);
  const [debitAt, creditAt, currencyAt, costCentreAt] = [
    columnOf(header, 'debit'),
    columnOf(header, 'credit'),
    columnOf(header, 'currency'),
    columnOf(header, 'cost_centre'),
  ];
  const net = new Map<string, bigint>();
  for (const row of rows) {
    if ((row[costCentreAt] ?? '') === '') continue;
    const currency = row[currencyAt] ?? '';
    const amount = decimalToMicro(row[debitAt] ?? '') - decimalToMicro(row[creditAt] ?? '');
    net.set(currency, (net.get(currency) ?? 0n) + amount);
  }
  return net;
}
