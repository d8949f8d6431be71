// Billing periods: where a line is booked (the service period if open, else the next open one),
// and the close that issues a period's invoices. A close takes the period's advisory lock
// exclusive; every command booking into a period takes it shared and re-checks the period is
// open under it, so a line is either in the period when it closes, or in the next one.
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, runUnitOfWork, type SqlExecutor } from '@plafond/ledger';
import type { InvoiceIssuedData, PeriodClosedData, PeriodKey } from '../domain/billing.events';
import { BILLING_ERROR, BillingError } from '../domain/errors';
import { assembleInvoices, periodClosedData, type InvoiceSourceLine } from '../domain/invoices';
import { nextPeriod, parsePeriodKey, periodHasEnded, periodBounds } from '../domain/periods';
import { appendAndProject, type BillingEventToAppend } from './books-writer';
import { CLOCK, type Clock } from './clock';
import type { CommandContext } from './command-context';
import { BILLING_SETTINGS, type BillingSettings } from './settings';
import { eventIds, eventMetadata, lockClosing, lockPeriods, periodStreamId } from './streams';

export interface Booking {
  /** The open period the line goes to (its advisory lock is held shared until commit). */
  readonly billingPeriod: PeriodKey;
  /** When the service period was closed: the invoice of (unit, currency) there, else null. */
  readonly adjustsInvoice: string | null;
}

export interface CloseResult {
  readonly period: PeriodClosedData;
  readonly invoices: InvoiceIssuedData[];
}

/** Events per append (the ledger's bound is 1 000). */
const APPEND_CHUNK = 500;

interface LineRow {
  line_id: string;
  kind: InvoiceSourceLine['kind'];
  unit_id: string;
  currency: string;
  cost_centre: string;
  booked_at: Date | string;
  usefulness_class: string | null;
  model: string | null;
  requests: string;
  energy_micro_wh: string;
  carbon_micro_g: string;
  amount_micro: string;
  adjusts_invoice: string | null;
}

@Injectable()
export class BillingPeriods {
  private readonly schema: string;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BILLING_SETTINGS) settings: BillingSettings,
  ) {
    this.schema = settings.readModelSchema;
  }

  /**
   * Closes `period` (finance): refuses BILLING.INVALID_PERIOD, PERIOD_NOT_ENDED,
   * PERIOD_ALREADY_CLOSED; else one invoice per (unit, currency) of its lines, numbered 1..n,
   * then PeriodClosed, on stream `period-<P>` in one transaction.
   */
  async close(period: string, ctx: CommandContext): Promise<CloseResult> {
    const key = parsePeriodKey(period);
    return runUnitOfWork(this.store, async (tx) => {
      const now = this.clock();
      if (!periodHasEnded(key, now))
        throw new BillingError(
          BILLING_ERROR.PERIOD_NOT_ENDED,
          `period ${key} has not ended yet; it can be closed from ${periodBounds(key).endsAt.toISOString()}`,
          { period: key, endsAt: periodBounds(key).endsAt.toISOString(), now: now.toISOString() },
        );
      await lockClosing(tx.sql, this.schema, 'shared');
      await lockPeriods(tx.sql, this.schema, [key], 'exclusive');
      if (await this.isClosed(tx.sql, key))
        throw new BillingError(BILLING_ERROR.PERIOD_ALREADY_CLOSED, `period ${key} is closed`, {
          period: key,
        });
      await this.refuseHeldUsage(tx.sql, key);
      const lines = await this.linesOf(tx.sql, key);
      const at = now.toISOString();
      const invoices = assembleInvoices(key, lines, at);
      const closed = periodClosedData(key, invoices, at, ctx.reason ?? null);
      const events: BillingEventToAppend[] = [
        ...invoices.map((invoice): BillingEventToAppend => ({
          type: 'InvoiceIssued',
          data: invoice,
          eventId: eventIds.invoice(key, invoice.sequence),
          metadata: eventMetadata(ctx, invoice.unitId),
        })),
        {
          type: 'PeriodClosed',
          data: closed,
          eventId: eventIds.periodClosed(key),
          metadata: eventMetadata(ctx, key),
        },
      ];
      const streamId = periodStreamId(key);
      for (let start = 0; start < events.length; start += APPEND_CHUNK)
        await appendAndProject(tx, streamId, events.slice(start, start + APPEND_CHUNK), {
          expectedVersion: start === 0 ? 'no_stream' : BigInt(start),
          schema: this.schema,
        });
      return { period: closed, invoices };
    });
  }

  /**
   * A month is not closed while usage of it, or of an earlier month, waits for a price: once it
   * is closed no schedule may take effect before its end (BILLING.SCHEDULE_IN_CLOSED_PERIOD), so
   * that usage could never be billed. Usage that arrives later for a closed month without a
   * price stays held (a reconciliation difference); see docs/billing-api.md.
   */
  private async refuseHeldUsage(sql: SqlExecutor, period: PeriodKey): Promise<void> {
    const rows = await sql.query<{ currency: string; usages: string }>(
      `SELECT currency, count(*)::text AS usages FROM "${this.schema}".usage_facts
        WHERE service_period <= $1 AND status = 'unpriced' GROUP BY currency ORDER BY currency`,
      [period],
    );
    if (rows.length === 0) return;
    const held = Object.fromEntries(rows.map((row) => [row.currency, Number(row.usages)]));
    const total = rows.reduce((sum, row) => sum + Number(row.usages), 0);
    throw new BillingError(
      BILLING_ERROR.PERIOD_HAS_UNPRICED_USAGE,
      `period ${period} or an earlier one holds ${total} usage(s) without a price (${rows
        .map((row) => `${row.currency}: ${row.usages}`)
        .join(', ')}); publish a price schedule that covers them, then close`,
      { period, heldUsage: held },
    );
  }

  async isClosed(sql: SqlExecutor, period: PeriodKey): Promise<boolean> {
    const rows = await sql.query(`SELECT 1 FROM "${this.schema}".periods WHERE period = $1`, [
      period,
    ]);
    return rows.length > 0;
  }

  /** The latest closed period (by key), null when none was closed. */
  /** Every closed period, by key. */
  async closed(sql: SqlExecutor): Promise<PeriodKey[]> {
    const rows = await sql.query<{ period: string }>(
      `SELECT period FROM "${this.schema}".periods ORDER BY period`,
    );
    return rows.map((row) => row.period);
  }

  async latestClosed(sql: SqlExecutor): Promise<PeriodKey | null> {
    const [row] = await sql.query<{ period: string }>(
      `SELECT period FROM "${this.schema}".periods ORDER BY period DESC LIMIT 1`,
    );
    return row?.period ?? null;
  }

  /**
   * Where a line of (unit, currency) whose service period is `servicePeriod` is booked now. Takes
   * the billing period's lock shared (held until commit) and re-checks it is open under it.
   */
  async book(
    sql: SqlExecutor,
    unitId: string,
    currency: string,
    servicePeriod: PeriodKey,
  ): Promise<Booking> {
    for (;;) {
      const rows = await sql.query<{ period: string }>(
        `SELECT period FROM "${this.schema}".periods WHERE period >= $1`,
        [servicePeriod],
      );
      const closed = new Set(rows.map((row) => row.period));
      let billingPeriod = servicePeriod;
      while (closed.has(billingPeriod)) billingPeriod = nextPeriod(billingPeriod);
      await lockPeriods(sql, this.schema, [billingPeriod], 'shared');
      // A close of that period may have committed between the read and the lock: look again.
      if (await this.isClosed(sql, billingPeriod)) continue;
      if (billingPeriod === servicePeriod) return { billingPeriod, adjustsInvoice: null };
      const [invoice] = await sql.query<{ invoice_number: string }>(
        `SELECT invoice_number FROM "${this.schema}".invoices
          WHERE period = $1 AND unit_id = $2 AND currency = $3`,
        [servicePeriod, unitId, currency],
      );
      return { billingPeriod, adjustsInvoice: invoice?.invoice_number ?? null };
    }
  }

  private async linesOf(sql: SqlExecutor, period: PeriodKey): Promise<InvoiceSourceLine[]> {
    const rows = await sql.query<LineRow>(
      `SELECT line_id, kind, unit_id, currency, cost_centre, booked_at, usefulness_class, model,
              requests::text AS requests, energy_micro_wh::text AS energy_micro_wh,
              carbon_micro_g::text AS carbon_micro_g, amount_micro::text AS amount_micro,
              adjusts_invoice
         FROM "${this.schema}".charge_lines
        WHERE billing_period = $1
        ORDER BY unit_id COLLATE "C", currency COLLATE "C", booked_at, line_id COLLATE "C"`,
      [period],
    );
    return rows.map((row) => ({
      lineId: row.line_id,
      kind: row.kind,
      unitId: row.unit_id,
      currency: row.currency,
      costCentre: row.cost_centre,
      bookedAt: (row.booked_at instanceof Date
        ? row.booked_at
        : new Date(row.booked_at)
      ).toISOString(),
      usefulnessClass: row.usefulness_class,
      model: row.model,
      requests: BigInt(row.requests),
      energyMicroWh: BigInt(row.energy_micro_wh),
      carbonMicroGrams: BigInt(row.carbon_micro_g),
      amountMicro: BigInt(row.amount_micro),
      adjustsInvoice: row.adjusts_invoice,
    }));
  }
}
