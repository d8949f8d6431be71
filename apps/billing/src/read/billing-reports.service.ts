// Finance's reads of the books: statements rolled up the unit tree, invoices, periods, the
// journal export (JSON and CSV), reconciliation, the rebound report and the replay check. Every
// answer is computed in ONE snapshot of the `billing-books` tables (applied inline with every
// append, so they are exact at once) and the directory tables (units, use_cases).
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, type SqlExecutor } from '@plafond/ledger';
import type { PeriodKey } from '../domain/billing.events';
import { JOURNAL_CSV_COLUMNS, journalCsvRow, toCsv } from '../domain/csv';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import type { JournalLine } from '../domain/journal';
import { formatMicro } from '../domain/money';
import { parsePeriodKey } from '../domain/periods';
import { reboundRow } from '../domain/rebound';
import { parseReportWindow, previousWindow } from '../domain/report-windows';
import { reconcile, type Reconciliation, type ReconciliationInput } from '../domain/reconciliation';
import { BILLING_READ_SETTINGS, type BillingReadSettings } from './read.settings';
import {
  big,
  compareNullable,
  intText,
  iso,
  readSnapshot,
  validCurrency,
  validInvoiceNumber,
  validUnitId,
  validUnitIds,
} from './read-sql';
import { verifyBooksReplay } from './replay.verify';
import {
  LINE_KINDS,
  type ChargeLineKind,
  type CurrencyTotal,
  type HeldUsageView,
  type InvoiceDetail,
  type InvoiceGroupView,
  type InvoiceLineView,
  type InvoiceSummary,
  type JournalExport,
  type JournalExportRow,
  type JournalTotals,
  type PeriodRow,
  type ReboundFigures,
  type ReboundReport,
  type ReboundRowView,
  type ReplayVerification,
  type Statement,
  type StatementAdjustment,
  type StatementCurrency,
  type StatementGroup,
} from './report.views';
import { compareCodePoints, rollUpTree, type TreeUnit } from './statement-tree';

export interface StatementOptions {
  /** Sum the unit's descendants too (default true). */
  includeDescendants?: boolean;
}

export interface InvoiceQuery {
  period?: string;
  /** Only these units' invoices (a unit manager's subtree); undefined = all. */
  unitIds?: readonly string[];
}

export interface JournalQuery {
  period: string;
  currency?: string;
  unitIds?: readonly string[];
}

export type ReconciliationReport = Reconciliation & {
  readonly period: PeriodKey;
  /** The usages of the period still held unpriced (each one is a difference), by occurredAt. */
  readonly heldUsage: readonly HeldUsageView[];
};

type Row = Record<string, unknown>;

const kindRank = (kind: ChargeLineKind): number => LINE_KINDS.indexOf(kind);
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  throw new Error(`expected text, got ${typeof value}`);
}
const nullableText = (value: unknown): string | null =>
  value === null || value === undefined ? null : text(value);

/** `AND unit_id = ANY($n)` when a unit filter applies. */
function unitFilter(column: string, unitIds: string[] | undefined, params: unknown[]): string {
  if (unitIds === undefined) return '';
  params.push(unitIds);
  return ` AND ${column} = ANY($${params.length}::text[])`;
}

@Injectable()
export class BillingReports {
  private readonly schema: string;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(BILLING_READ_SETTINGS) private readonly settings: BillingReadSettings,
  ) {
    this.schema = `"${settings.readModelSchema}"`;
  }

  private table(name: string): string {
    return `${this.schema}."${name}"`;
  }

  // ---------------------------------------------------------------- statement

  /**
   * The running (or closed) statement of a unit for a billing period: its lines grouped by
   * currency, usefulness class, model and kind; the unit tree with own and subtree amounts; the
   * lines adjusting invoices of closed periods.
   */
  async statement(
    unitIdInput: string,
    periodInput: string,
    options: StatementOptions = {},
  ): Promise<Statement> {
    const unitId = validUnitId(unitIdInput);
    const period = parsePeriodKey(periodInput);
    const includeDescendants = options.includeDescendants ?? true;
    return readSnapshot(this.store, async (sql) => {
      const units = await this.treeOf(sql, unitId, includeDescendants);
      if (units.length === 0) {
        if (!(await this.hasBooks(sql, unitId)))
          throw new BillingError(
            BILLING_ERROR.UNIT_NOT_FOUND,
            `unit ${unitId} is not known to billing`,
            {
              unitId,
            },
          );
        units.push({ unitId, parentId: null, name: null, archived: false });
      }
      const unitIds = units.map((unit) => unit.unitId);
      const status = (await this.closedPeriods(sql, [period])).has(period) ? 'closed' : 'open';

      const groupRows = await sql.query<Row>(
        `SELECT currency, usefulness_class, model, kind, count(*)::int AS lines,
                sum(requests)::text AS requests, sum(energy_micro_wh)::text AS energy,
                sum(carbon_micro_g)::text AS carbon, sum(amount_micro)::text AS amount
           FROM ${this.table('charge_lines')}
          WHERE billing_period = $1 AND unit_id = ANY($2::text[])
          GROUP BY currency, usefulness_class, model, kind`,
        [period, unitIds],
      );
      const byCurrency = new Map<string, StatementGroup[]>();
      for (const row of groupRows) {
        const currency = text(row.currency);
        const groups = byCurrency.get(currency) ?? [];
        const amount = big(row.amount);
        groups.push({
          usefulnessClass: nullableText(row.usefulness_class),
          model: nullableText(row.model),
          kind: text(row.kind) as ChargeLineKind,
          lines: Number(row.lines),
          requests: intText(row.requests),
          energyMicroWh: intText(row.energy),
          carbonMicroGrams: intText(row.carbon),
          amountMicro: amount.toString(),
          amount: formatMicro(amount),
        });
        byCurrency.set(currency, groups);
      }
      const currencies: StatementCurrency[] = [...byCurrency.keys()]
        .sort(compareCodePoints)
        .map((currency) => {
          const groups = (byCurrency.get(currency) ?? []).sort(
            (a, b) =>
              compareNullable(a.usefulnessClass, b.usefulnessClass) ||
              compareNullable(a.model, b.model) ||
              kindRank(a.kind) - kindRank(b.kind),
          );
          const total = groups.reduce((sum, group) => sum + BigInt(group.amountMicro), 0n);
          return {
            currency,
            totalMicro: total.toString(),
            total: formatMicro(total),
            lines: groups.reduce((sum, group) => sum + group.lines, 0),
            groups,
          };
        });

      const ownRows = await sql.query<Row>(
        `SELECT unit_id, currency, sum(amount_micro)::text AS amount
           FROM ${this.table('charge_lines')}
          WHERE billing_period = $1 AND unit_id = ANY($2::text[])
          GROUP BY unit_id, currency`,
        [period, unitIds],
      );
      const own = new Map<string, Map<string, bigint>>();
      for (const row of ownRows) {
        const amounts = own.get(text(row.unit_id)) ?? new Map<string, bigint>();
        amounts.set(text(row.currency), big(row.amount));
        own.set(text(row.unit_id), amounts);
      }

      const adjustmentRows = await sql.query<Row>(
        `SELECT line_id, kind, unit_id, usage_id, service_period, adjusts_invoice, currency,
                amount_micro::text AS amount, booked_at
           FROM ${this.table('charge_lines')}
          WHERE billing_period = $1 AND unit_id = ANY($2::text[]) AND adjusts_invoice IS NOT NULL
          ORDER BY booked_at, line_id`,
        [period, unitIds],
      );
      const adjustments: StatementAdjustment[] = adjustmentRows.map((row) => ({
        lineId: text(row.line_id),
        kind: text(row.kind) as ChargeLineKind,
        unitId: text(row.unit_id),
        usageId: text(row.usage_id),
        servicePeriod: text(row.service_period),
        adjustsInvoice: text(row.adjusts_invoice),
        currency: text(row.currency),
        amountMicro: intText(row.amount),
        amount: formatMicro(big(row.amount)),
        bookedAt: iso(row.booked_at),
      }));

      return {
        unitId,
        period,
        status,
        includeDescendants,
        currencies,
        tree: rollUpTree(unitId, units, own),
        adjustments,
      };
    });
  }

  /** The unit and (with descendants) its subtree from the directory; [] when unknown there. */
  private async treeOf(
    sql: SqlExecutor,
    unitId: string,
    includeDescendants: boolean,
  ): Promise<TreeUnit[]> {
    const rows = includeDescendants
      ? await sql.query<Row>(
          `WITH RECURSIVE tree AS (
             SELECT unit_id, parent_id, name, archived, ARRAY[unit_id] AS path
               FROM ${this.table('units')} WHERE unit_id = $1
             UNION ALL
             SELECT u.unit_id, u.parent_id, u.name, u.archived, t.path || u.unit_id
               FROM ${this.table('units')} u JOIN tree t ON u.parent_id = t.unit_id
              WHERE NOT (u.unit_id = ANY (t.path)) AND cardinality(t.path) < 1000)
           SELECT unit_id, parent_id, name, archived FROM tree`,
          [unitId],
        )
      : await sql.query<Row>(
          `SELECT unit_id, parent_id, name, archived FROM ${this.table('units')} WHERE unit_id = $1`,
          [unitId],
        );
    return rows.map((row) => ({
      unitId: text(row.unit_id),
      parentId: nullableText(row.parent_id),
      name: nullableText(row.name),
      archived: row.archived === true,
    }));
  }

  private async hasBooks(sql: SqlExecutor, unitId: string): Promise<boolean> {
    const rows = await sql.query<Row>(
      `SELECT EXISTS (SELECT 1 FROM ${this.table('charge_lines')} WHERE unit_id = $1)
           OR EXISTS (SELECT 1 FROM ${this.table('usage_facts')} WHERE unit_id = $1) AS known`,
      [unitId],
    );
    return rows[0]?.known === true;
  }

  private async closedPeriods(sql: SqlExecutor, periods: readonly string[]): Promise<Set<string>> {
    const rows = await sql.query<Row>(
      `SELECT period FROM ${this.table('periods')} WHERE period = ANY($1::text[])`,
      [periods],
    );
    return new Set(rows.map((row) => text(row.period)));
  }

  // ---------------------------------------------------------------- invoices

  /** Issued invoices, by period then sequence. */
  async invoices(query: InvoiceQuery = {}): Promise<InvoiceSummary[]> {
    const params: unknown[] = [];
    let where = 'WHERE true';
    if (query.period !== undefined) {
      params.push(parsePeriodKey(query.period));
      where += ` AND period = $${params.length}`;
    }
    where += unitFilter('unit_id', validUnitIds(query.unitIds), params);
    return readSnapshot(this.store, async (sql) => {
      const rows = await sql.query<Row>(
        `SELECT invoice_number, period, sequence, unit_id, currency, cost_centre,
                total_micro::text AS total, line_count, issued_at, data
           FROM ${this.table('invoices')} ${where}
          ORDER BY period, sequence`,
        params,
      );
      return rows.map((row) => this.invoiceSummary(row));
    });
  }

  /** One invoice with its groups (as issued) and its charge lines. 404 INVOICE_NOT_FOUND. */
  async invoice(invoiceNumberInput: string): Promise<InvoiceDetail> {
    const invoiceNumber = validInvoiceNumber(invoiceNumberInput);
    return readSnapshot(this.store, async (sql) => {
      const rows = await sql.query<Row>(
        `SELECT invoice_number, period, sequence, unit_id, currency, cost_centre,
                total_micro::text AS total, line_count, issued_at, data
           FROM ${this.table('invoices')} WHERE invoice_number = $1`,
        [invoiceNumber],
      );
      const row = rows[0];
      if (row === undefined)
        throw new BillingError(BILLING_ERROR.INVOICE_NOT_FOUND, `no invoice ${invoiceNumber}`, {
          invoiceNumber,
        });
      const lineRows = await sql.query<Row>(
        `SELECT line_id, kind, usage_id, unit_id, use_case, usefulness_class, model, service_period,
                adjusts_invoice, occurred_at, booked_at, requests::text AS requests,
                energy_micro_wh::text AS energy, carbon_micro_g::text AS carbon,
                amount_micro::text AS amount, schedule_version, multiplier_ppm::text AS multiplier,
                budget_id
           FROM ${this.table('charge_lines')} WHERE invoice_number = $1
          ORDER BY booked_at, line_id`,
        [invoiceNumber],
      );
      const data = (row.data ?? {}) as { groups?: readonly Row[] };
      const groups: InvoiceGroupView[] = (data.groups ?? []).map((group) => ({
        kind: text(group.kind) as ChargeLineKind,
        usefulnessClass: nullableText(group.usefulnessClass),
        model: nullableText(group.model),
        lines: Number(group.lines),
        requests: intText(group.requests),
        energyMicroWh: intText(group.energyMicroWh),
        carbonMicroGrams: intText(group.carbonMicroGrams),
        amountMicro: intText(group.amountMicro),
        amount: formatMicro(big(group.amountMicro)),
      }));
      const lines: InvoiceLineView[] = lineRows.map((line) => ({
        lineId: text(line.line_id),
        kind: text(line.kind) as ChargeLineKind,
        usageId: text(line.usage_id),
        unitId: text(line.unit_id),
        useCase: text(line.use_case),
        usefulnessClass: nullableText(line.usefulness_class),
        model: nullableText(line.model),
        servicePeriod: text(line.service_period),
        adjustsInvoice: nullableText(line.adjusts_invoice),
        occurredAt: iso(line.occurred_at),
        bookedAt: iso(line.booked_at),
        requests: intText(line.requests),
        energyMicroWh: intText(line.energy),
        carbonMicroGrams: intText(line.carbon),
        amountMicro: intText(line.amount),
        amount: formatMicro(big(line.amount)),
        scheduleVersion: Number(line.schedule_version),
        multiplierPpm: intText(line.multiplier),
        budgetId: nullableText(line.budget_id),
      }));
      return { ...this.invoiceSummary(row), groups, lines };
    });
  }

  private invoiceSummary(row: Row): InvoiceSummary {
    const data = (row.data ?? {}) as { adjustsInvoices?: readonly string[] };
    const total = big(row.total);
    return {
      invoiceNumber: text(row.invoice_number),
      period: text(row.period),
      sequence: Number(row.sequence),
      unitId: text(row.unit_id),
      currency: text(row.currency),
      costCentre: text(row.cost_centre),
      totalMicro: total.toString(),
      total: formatMicro(total),
      lineCount: Number(row.line_count),
      issuedAt: iso(row.issued_at),
      adjustsInvoices: [...(data.adjustsInvoices ?? [])],
    };
  }

  // ---------------------------------------------------------------- periods

  /**
   * Closed periods, and open periods that have charge lines or held unpriced usage, in period
   * order, with their line counts and totals per currency.
   */
  async periods(): Promise<PeriodRow[]> {
    return readSnapshot(this.store, async (sql) => {
      const closed = await sql.query<Row>(
        `SELECT period, closed_at, invoice_count, data FROM ${this.table('periods')}`,
      );
      const totals = await sql.query<Row>(
        `SELECT billing_period AS period, currency, count(*)::int AS lines,
                sum(amount_micro)::text AS amount
           FROM ${this.table('charge_lines')} GROUP BY billing_period, currency`,
      );
      const held = await sql.query<Row>(
        `SELECT service_period AS period, count(*)::int AS held
           FROM ${this.table('usage_facts')} WHERE status = 'unpriced' GROUP BY service_period`,
      );
      const keys = new Set<string>([
        ...closed.map((row) => text(row.period)),
        ...totals.map((row) => text(row.period)),
        ...held.map((row) => text(row.period)),
      ]);
      const closedBy = new Map(closed.map((row) => [text(row.period), row]));
      const heldBy = new Map(held.map((row) => [text(row.period), Number(row.held)]));
      return [...keys].sort(compareCodePoints).map((period) => {
        const closedRow = closedBy.get(period);
        const data = (closedRow?.data ?? {}) as {
          firstInvoice?: string | null;
          lastInvoice?: string | null;
          reason?: string | null;
        };
        const perCurrency: Record<string, CurrencyTotal> = {};
        let lineCount = 0;
        for (const row of totals
          .filter((candidate) => text(candidate.period) === period)
          .sort((a, b) => compareCodePoints(text(a.currency), text(b.currency)))) {
          const amount = big(row.amount);
          perCurrency[text(row.currency)] = {
            lines: Number(row.lines),
            totalMicro: amount.toString(),
            total: formatMicro(amount),
          };
          lineCount += Number(row.lines);
        }
        return {
          period,
          status: closedRow === undefined ? 'open' : 'closed',
          closedAt: closedRow === undefined ? null : iso(closedRow.closed_at),
          invoiceCount: closedRow === undefined ? null : Number(closedRow.invoice_count),
          firstInvoice: data.firstInvoice ?? null,
          lastInvoice: data.lastInvoice ?? null,
          reason: data.reason ?? null,
          lineCount,
          totals: perCurrency,
          heldUnpriced: heldBy.get(period) ?? 0,
        };
      });
    });
  }

  // ---------------------------------------------------------------- journal

  /** The journal lines billed in a period (optionally one currency / some units), for a GL import. */
  async journal(query: JournalQuery): Promise<JournalExport> {
    const { period, currency, lines } = await this.journalLines(query);
    const totals = new Map<string, { debit: bigint; credit: bigint }>();
    for (const line of lines) {
      const sums = totals.get(line.currency) ?? { debit: 0n, credit: 0n };
      sums.debit += line.debitMicro;
      sums.credit += line.creditMicro;
      totals.set(line.currency, sums);
    }
    const totalsView: Record<string, JournalTotals> = {};
    for (const key of [...totals.keys()].sort(compareCodePoints)) {
      const sums = totals.get(key) as { debit: bigint; credit: bigint };
      totalsView[key] = {
        debitMicro: sums.debit.toString(),
        creditMicro: sums.credit.toString(),
        debit: formatMicro(sums.debit),
        credit: formatMicro(sums.credit),
      };
    }
    return {
      period,
      currency,
      columns: JOURNAL_CSV_COLUMNS,
      lines: lines.map((line): JournalExportRow => ({
        date: line.entryDate,
        account: line.account,
        costCentre: line.costCentre,
        debitMicro: line.debitMicro.toString(),
        creditMicro: line.creditMicro.toString(),
        debit: formatMicro(line.debitMicro),
        credit: formatMicro(line.creditMicro),
        currency: line.currency,
        reference: line.reference,
        entryId: line.entryId,
        side: line.side,
        billingPeriod: line.billingPeriod,
        unitId: line.unitId,
        lineId: line.lineId,
        invoiceNumber: line.invoiceNumber,
        adjustsInvoice: line.adjustsInvoice,
      })),
      totals: totalsView,
    };
  }

  /** The same lines as RFC 4180 CSV (CRLF, header JOURNAL_CSV_COLUMNS, amounts with 6 decimals). */
  async journalCsv(query: JournalQuery): Promise<string> {
    const { lines } = await this.journalLines(query);
    return toCsv(
      JOURNAL_CSV_COLUMNS,
      lines.map((line) => journalCsvRow(line)),
    );
  }

  private async journalLines(query: JournalQuery): Promise<{
    period: PeriodKey;
    currency: string | null;
    lines: (JournalLine & { invoiceNumber: string | null; adjustsInvoice: string | null })[];
  }> {
    const period = parsePeriodKey(query.period);
    const params: unknown[] = [period];
    let where = 'WHERE j.billing_period = $1';
    const currency = query.currency === undefined ? null : validCurrency(query.currency);
    if (currency !== null) {
      params.push(currency);
      where += ` AND j.currency = $${params.length}`;
    }
    where += unitFilter('j.unit_id', validUnitIds(query.unitIds), params);
    const rows = await readSnapshot(this.store, (sql) =>
      sql.query<Row>(
        `SELECT j.entry_id, j.side, j.account, j.cost_centre, j.debit_micro::text AS debit,
                j.credit_micro::text AS credit, j.currency, j.entry_date::text AS entry_date,
                j.reference, j.billing_period, j.unit_id, j.line_id,
                c.invoice_number, c.adjusts_invoice
           FROM ${this.table('journal_lines')} j
           LEFT JOIN ${this.table('charge_lines')} c ON c.line_id = j.line_id
           ${where}
          ORDER BY j.global_position, j.entry_id, CASE j.side WHEN 'debit' THEN 0 ELSE 1 END`,
        params,
      ),
    );
    return {
      period,
      currency,
      lines: rows.map((row) => ({
        entryId: text(row.entry_id),
        side: text(row.side) as 'debit' | 'credit',
        account: text(row.account),
        costCentre: text(row.cost_centre),
        debitMicro: big(row.debit),
        creditMicro: big(row.credit),
        currency: text(row.currency),
        entryDate: text(row.entry_date),
        reference: text(row.reference),
        billingPeriod: text(row.billing_period),
        unitId: text(row.unit_id),
        lineId: text(row.line_id),
        invoiceNumber: nullableText(row.invoice_number),
        adjustsInvoice: nullableText(row.adjusts_invoice),
      })),
    };
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * Recorded usage (usage_facts of the service period, current energy and carbon, priced or held)
   * against billed usage (Σ of the usage lines and credit/debit notes of that service period,
   * whatever period they were billed in), per unit: an exact match or the differences.
   */
  async reconciliation(
    periodInput: string,
    unitIdsInput?: readonly string[],
  ): Promise<ReconciliationReport> {
    const period = parsePeriodKey(periodInput);
    const unitIds = validUnitIds(unitIdsInput);
    return readSnapshot(this.store, async (sql) => {
      const recordedParams: unknown[] = [period];
      const recorded = await sql.query<Row>(
        `SELECT unit_id, sum(energy_micro_wh)::text AS energy, sum(carbon_micro_g)::text AS carbon,
                count(*) FILTER (WHERE status = 'unpriced')::int AS held
           FROM ${this.table('usage_facts')}
          WHERE service_period = $1${unitFilter('unit_id', unitIds, recordedParams)}
          GROUP BY unit_id`,
        recordedParams,
      );
      const billedParams: unknown[] = [period];
      const billed = await sql.query<Row>(
        `SELECT unit_id, sum(energy_micro_wh)::text AS energy, sum(carbon_micro_g)::text AS carbon
           FROM ${this.table('charge_lines')}
          WHERE service_period = $1 AND kind IN ('usage', 'credit_note', 'debit_note')${unitFilter('unit_id', unitIds, billedParams)}
          GROUP BY unit_id`,
        billedParams,
      );
      const heldParams: unknown[] = [period];
      const heldRows = await sql.query<Row>(
        `SELECT usage_id, unit_id, currency, occurred_at, energy_micro_wh::text AS energy,
                carbon_micro_g::text AS carbon
           FROM ${this.table('usage_facts')}
          WHERE service_period = $1 AND status = 'unpriced'${unitFilter('unit_id', unitIds, heldParams)}
          ORDER BY occurred_at, usage_id`,
        heldParams,
      );
      const units = new Map<string, ReconciliationInput>();
      const entry = (unitId: string): ReconciliationInput => {
        let row = units.get(unitId);
        if (row === undefined) {
          row = {
            unitId,
            recordedEnergyMicroWh: 0n,
            recordedCarbonMicroGrams: 0n,
            billedEnergyMicroWh: 0n,
            billedCarbonMicroGrams: 0n,
            heldUnpriced: 0,
          };
          units.set(unitId, row);
        }
        return row;
      };
      for (const row of recorded) {
        const target = entry(text(row.unit_id));
        target.recordedEnergyMicroWh = big(row.energy);
        target.recordedCarbonMicroGrams = big(row.carbon);
        target.heldUnpriced = Number(row.held);
      }
      for (const row of billed) {
        const target = entry(text(row.unit_id));
        target.billedEnergyMicroWh = big(row.energy);
        target.billedCarbonMicroGrams = big(row.carbon);
      }
      return {
        period,
        ...reconcile([...units.values()]),
        heldUsage: heldRows.map((row) => ({
          usageId: text(row.usage_id),
          unitId: text(row.unit_id),
          currency: text(row.currency),
          occurredAt: iso(row.occurred_at),
          energyMicroWh: intText(row.energy),
          carbonMicroGrams: intText(row.carbon),
        })),
      };
    });
  }

  // ---------------------------------------------------------------- rebound

  /**
   * Per unit (from the recorded usage's current values): requests, energy, energy per request in
   * the window and in the one before it, both changes in percent and the rebound flag (energy
   * per request fell while total energy rose); then the same rolled up for every unit with
   * descendants. A month (`YYYY-MM`) is a service period; a day, hour or minute window
   * (`YYYY-MM-DD`, `…THH`, `…THH:mm`) is matched on when the usage occurred.
   */
  async rebound(periodInput: string, unitIdsInput?: readonly string[]): Promise<ReboundReport> {
    const window = parseReportWindow(periodInput);
    const earlier = previousWindow(window);
    const period = window.key;
    const unitIds = validUnitIds(unitIdsInput);
    return readSnapshot(this.store, async (sql) => {
      // `bucket` is the window's key (current or previous), so both shapes read the same way.
      const params: unknown[] =
        window.granularity === 'month'
          ? [[period, earlier.key]]
          : [
              earlier.startsAt.toISOString(),
              window.startsAt.toISOString(),
              window.endsAt.toISOString(),
              period,
              earlier.key,
            ];
      const where =
        window.granularity === 'month'
          ? `service_period = ANY($1::text[])`
          : `occurred_at >= $1::timestamptz AND occurred_at < $3::timestamptz`;
      const bucket =
        window.granularity === 'month'
          ? `service_period`
          : `CASE WHEN occurred_at >= $2::timestamptz THEN $4::text ELSE $5::text END`;
      const usage = await sql.query<Row>(
        `SELECT unit_id, ${bucket} AS bucket, sum(requests)::text AS requests,
                sum(energy_micro_wh)::text AS energy
           FROM ${this.table('usage_facts')}
          WHERE ${where}${unitFilter('unit_id', unitIds, params)}
          GROUP BY 1, 2`,
        params,
      );
      type Figures = { requests: bigint; energyMicroWh: bigint };
      const figures = new Map<string, { current: Figures; previous: Figures }>();
      for (const row of usage) {
        const unitId = text(row.unit_id);
        const item = figures.get(unitId) ?? {
          current: { requests: 0n, energyMicroWh: 0n },
          previous: { requests: 0n, energyMicroWh: 0n },
        };
        const target = text(row.bucket) === period ? item.current : item.previous;
        target.requests = big(row.requests);
        target.energyMicroWh = big(row.energy);
        figures.set(unitId, item);
      }
      const directory = await sql.query<Row>(
        `SELECT unit_id, parent_id, name FROM ${this.table('units')}`,
      );
      const parentOf = new Map(
        directory.map((row) => [text(row.unit_id), nullableText(row.parent_id)]),
      );
      const nameOf = new Map(directory.map((row) => [text(row.unit_id), nullableText(row.name)]));

      const view = (
        unitId: string,
        scope: 'unit' | 'subtree',
        current: Figures,
        before: Figures,
      ): ReboundRowView => {
        const result = reboundRow(current, before);
        const previousResult = reboundRow(before, null);
        const describe = (f: Figures, perRequest: string | null): ReboundFigures => ({
          requests: f.requests.toString(),
          energyMicroWh: f.energyMicroWh.toString(),
          energyPerRequestMicroWh: perRequest,
        });
        return {
          unitId,
          name: nameOf.get(unitId) ?? null,
          scope,
          current: describe(current, result.energyPerRequestMicroWh),
          previous: describe(before, previousResult.energyPerRequestMicroWh),
          energyPerRequestChangePercent: result.energyPerRequestChangePercent,
          totalEnergyChangePercent: result.totalEnergyChangePercent,
          rebound: result.rebound,
        };
      };

      const unitRows = [...figures.keys()].sort(compareCodePoints).map((unitId) => {
        const item = figures.get(unitId) as { current: Figures; previous: Figures };
        return view(unitId, 'unit', item.current, item.previous);
      });

      // Roll-up: add each unit's figures to every ancestor's (cycles cut).
      const subtree = new Map<string, { current: Figures; previous: Figures; units: number }>();
      for (const [unitId, item] of figures) {
        const seen = new Set<string>();
        let cursor: string | null = unitId;
        while (cursor !== null && !seen.has(cursor)) {
          seen.add(cursor);
          const sums = subtree.get(cursor) ?? {
            current: { requests: 0n, energyMicroWh: 0n },
            previous: { requests: 0n, energyMicroWh: 0n },
            units: 0,
          };
          sums.current.requests += item.current.requests;
          sums.current.energyMicroWh += item.current.energyMicroWh;
          sums.previous.requests += item.previous.requests;
          sums.previous.energyMicroWh += item.previous.energyMicroWh;
          sums.units += cursor === unitId ? 0 : 1;
          subtree.set(cursor, sums);
          cursor = parentOf.get(cursor) ?? null;
        }
      }
      const rollUps = [...subtree.entries()]
        .filter(
          ([unitId, sums]) => sums.units > 0 && (unitIds === undefined || unitIds.includes(unitId)),
        )
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([unitId, sums]) => view(unitId, 'subtree', sums.current, sums.previous));

      return {
        period,
        previousPeriod: earlier.key,
        rows: [...unitRows, ...rollUps],
        flagged: unitRows.filter((row) => row.rebound).map((row) => row.unitId),
      };
    });
  }

  // ---------------------------------------------------------------- replay

  /** Rebuilds `billing-books` from the ledger into a temporary schema and compares digests. */
  verifyReplay(): Promise<ReplayVerification> {
    return verifyBooksReplay(this.store, this.settings);
  }
}
