// Assembly of a period's invoices at close: one per (unit, currency), numbered 1..n without gaps
// in (unitId, currency) code-point order.
import type {
  InvoiceIssuedData,
  InvoiceLineGroupData,
  PeriodClosedData,
  PeriodKey,
} from './billing.events';

export type ChargeLineKind = InvoiceLineGroupData['kind'];

export interface InvoiceSourceLine {
  lineId: string;
  kind: ChargeLineKind;
  unitId: string;
  currency: string;
  costCentre: string;
  bookedAt: string;
  usefulnessClass: string | null;
  model: string | null;
  requests: bigint;
  energyMicroWh: bigint;
  carbonMicroGrams: bigint;
  amountMicro: bigint;
  adjustsInvoice: string | null;
}

export const CHARGE_LINE_KINDS: readonly ChargeLineKind[] = [
  'usage',
  'surcharge',
  'credit_note',
  'debit_note',
];

/** Code-point order (not locale order), so every process sorts alike. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Null first, then code-point order. */
function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareCodePoints(a, b);
}

/** `INV-2026-11-0001`: the sequence padded to 4 digits (more when needed). */
export function invoiceNumber(period: PeriodKey, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new RangeError(`invoice sequence must be a positive integer: ${sequence}`);
  }
  return `INV-${period}-${String(sequence).padStart(4, '0')}`;
}

function compareBooked(a: InvoiceSourceLine, b: InvoiceSourceLine): number {
  const at = new Date(a.bookedAt).getTime() - new Date(b.bookedAt).getTime();
  return at !== 0 ? Math.sign(at) : compareCodePoints(a.lineId, b.lineId);
}

/** Groups of an invoice, sorted by kind (usage, surcharge, credit_note, debit_note), class, model. */
export function groupLines(lines: readonly InvoiceSourceLine[]): InvoiceLineGroupData[] {
  const groups = new Map<
    string,
    {
      kind: ChargeLineKind;
      usefulnessClass: string | null;
      model: string | null;
      lines: number;
      requests: bigint;
      energy: bigint;
      carbon: bigint;
      amount: bigint;
    }
  >();
  for (const line of lines) {
    const key = JSON.stringify([line.kind, line.usefulnessClass, line.model]);
    const group = groups.get(key) ?? {
      kind: line.kind,
      usefulnessClass: line.usefulnessClass,
      model: line.model,
      lines: 0,
      requests: 0n,
      energy: 0n,
      carbon: 0n,
      amount: 0n,
    };
    group.lines += 1;
    group.requests += line.requests;
    group.energy += line.energyMicroWh;
    group.carbon += line.carbonMicroGrams;
    group.amount += line.amountMicro;
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        CHARGE_LINE_KINDS.indexOf(a.kind) - CHARGE_LINE_KINDS.indexOf(b.kind) ||
        compareNullable(a.usefulnessClass, b.usefulnessClass) ||
        compareNullable(a.model, b.model),
    )
    .map((g) => ({
      kind: g.kind,
      usefulnessClass: g.usefulnessClass,
      model: g.model,
      lines: g.lines,
      requests: g.requests.toString(),
      energyMicroWh: g.energy.toString(),
      carbonMicroGrams: g.carbon.toString(),
      amountMicro: g.amount.toString(),
    }));
}

/**
 * One invoice per (unit, currency) of the period's lines, sorted by unitId then currency (code
 * points), numbered 1..n. An invoice's cost centre is that of its latest line (bookedAt, then
 * lineId).
 */
export function assembleInvoices(
  period: PeriodKey,
  lines: readonly InvoiceSourceLine[],
  issuedAt: string,
): InvoiceIssuedData[] {
  const byKey = new Map<string, InvoiceSourceLine[]>();
  for (const line of lines) {
    const key = JSON.stringify([line.unitId, line.currency]);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [line]);
    else list.push(line);
  }
  const keyed = [...byKey.values()].map((list) => ({
    unitId: list[0]?.unitId ?? '',
    currency: list[0]?.currency ?? '',
    lines: [...list].sort(compareBooked),
  }));
  keyed.sort(
    (a, b) => compareCodePoints(a.unitId, b.unitId) || compareCodePoints(a.currency, b.currency),
  );
  return keyed.map((invoice, index) => {
    const latest = invoice.lines[invoice.lines.length - 1];
    const adjusts = [
      ...new Set(
        invoice.lines.flatMap((l) => (l.adjustsInvoice === null ? [] : [l.adjustsInvoice])),
      ),
    ].sort(compareCodePoints);
    const total = invoice.lines.reduce((sum, l) => sum + l.amountMicro, 0n);
    return {
      invoiceNumber: invoiceNumber(period, index + 1),
      sequence: index + 1,
      period,
      unitId: invoice.unitId,
      currency: invoice.currency,
      costCentre: latest?.costCentre ?? '',
      groups: groupLines(invoice.lines),
      adjustsInvoices: adjusts,
      lineCount: invoice.lines.length,
      totalMicro: total.toString(),
      issuedAt,
    };
  });
}

/** The PeriodClosed event of a close that issued `invoices` (in sequence order). */
export function periodClosedData(
  period: PeriodKey,
  invoices: readonly InvoiceIssuedData[],
  closedAt: string,
  reason: string | null,
): PeriodClosedData {
  const totals = new Map<string, bigint>();
  for (const invoice of invoices) {
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + BigInt(invoice.totalMicro));
  }
  const totalsMicro: Record<string, string> = {};
  for (const currency of [...totals.keys()].sort(compareCodePoints)) {
    totalsMicro[currency] = (totals.get(currency) ?? 0n).toString();
  }
  return {
    period,
    invoiceCount: invoices.length,
    firstInvoice: invoices[0]?.invoiceNumber ?? null,
    lastInvoice: invoices[invoices.length - 1]?.invoiceNumber ?? null,
    totalsMicro,
    closedAt,
    reason,
  };
}
