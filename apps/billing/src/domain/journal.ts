// Double entry: every line with a non-zero amount is one journal entry (entryId = lineId) of two
// journal lines. A charge debits the expense account on the unit's cost centre and credits the
// carbon fund (cost centre ''); a negative amount (credit note) is the reverse with |amount|.
import type { JournalAccountsData } from './billing.events';

export type JournalSide = 'debit' | 'credit';

export interface JournalLine {
  entryId: string;
  side: JournalSide;
  account: string;
  costCentre: string;
  debitMicro: bigint;
  creditMicro: bigint;
  currency: string;
  /** The UTC date of bookedAt, YYYY-MM-DD. */
  entryDate: string;
  reference: string;
  billingPeriod: string;
  unitId: string;
  lineId: string;
}

export interface JournalSourceLine {
  lineId: string;
  amountMicro: bigint;
  currency: string;
  costCentre: string;
  /** ISO instant. */
  bookedAt: string;
  billingPeriod: string;
  unitId: string;
  /** `<kind> <usageId>`, e.g. `usage urn:acme#e-1`. */
  reference: string;
  accounts: JournalAccountsData;
}

/** The carbon fund's cost centre. */
export const CARBON_FUND_COST_CENTRE = '';

/** The journal reference of a line: `<kind> <usageId>`. */
export function journalReference(kind: string, usageId: string): string {
  return `${kind} ${usageId}`;
}

/** The UTC date (YYYY-MM-DD) of an ISO instant. */
export function entryDateOf(bookedAt: string): string {
  const date = new Date(bookedAt);
  if (Number.isNaN(date.getTime())) throw new RangeError(`bookedAt is not an instant: ${bookedAt}`);
  return date.toISOString().slice(0, 10);
}

/** 0 lines for a zero amount, else [debit, credit] (debit first). */
export function journalEntry(line: JournalSourceLine): JournalLine[] {
  if (line.amountMicro === 0n) return [];
  const magnitude = line.amountMicro < 0n ? -line.amountMicro : line.amountMicro;
  const expense = { account: line.accounts.expense, costCentre: line.costCentre };
  const fund = { account: line.accounts.carbonFund, costCentre: CARBON_FUND_COST_CENTRE };
  const [debited, credited] = line.amountMicro > 0n ? [expense, fund] : [fund, expense];
  const common = {
    entryId: line.lineId,
    currency: line.currency,
    entryDate: entryDateOf(line.bookedAt),
    reference: line.reference,
    billingPeriod: line.billingPeriod,
    unitId: line.unitId,
    lineId: line.lineId,
  };
  return [
    { ...common, side: 'debit', ...debited, debitMicro: magnitude, creditMicro: 0n },
    { ...common, side: 'credit', ...credited, debitMicro: 0n, creditMicro: magnitude },
  ];
}

/** Σ debit and Σ credit per currency. */
export function journalTotals(
  lines: Iterable<Pick<JournalLine, 'currency' | 'debitMicro' | 'creditMicro'>>,
): Map<string, { debitMicro: bigint; creditMicro: bigint }> {
  const totals = new Map<string, { debitMicro: bigint; creditMicro: bigint }>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { debitMicro: 0n, creditMicro: 0n };
    total.debitMicro += line.debitMicro;
    total.creditMicro += line.creditMicro;
    totals.set(line.currency, total);
  }
  return totals;
}
