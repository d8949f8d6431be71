// The billing books: one in-database projection (`billing-books`) applied INLINE in the
// transaction of every billing append (so statements, close and reconciliation read strongly
// consistent tables) and replayable with rebuildProjection (the replay digest). `apply` reads
// only the events and its own tables: no clock, no random ids, no settings.
import {
  projectionContext,
  type Projection,
  type ProjectionContext,
  type RecordedEvent,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  BILLING_EVENT_TYPES,
  type BillingEvent,
  type BillingProfileSetData,
  type InvoiceIssuedData,
  type LineBillingData,
  type OverrunNotedData,
  type OverrunSurchargeChargedData,
  type PeriodClosedData,
  type PriceSchedulePublishedData,
  type UsageAdjustmentChargedData,
  type UsageChargedData,
  type UsageHeldUnpricedData,
} from '../domain/billing.events';
import type { ChargeLineKind } from '../domain/invoices';
import { journalEntry, journalReference } from '../domain/journal';

export const BOOKS_PROJECTION_NAME = 'billing-books';

/** Table names of the books, in digest order. */
export const BOOKS_TABLES = {
  priceSchedules: 'price_schedules',
  billingProfiles: 'billing_profiles',
  usageFacts: 'usage_facts',
  chargeLines: 'charge_lines',
  pendingOverruns: 'pending_overruns',
  journalLines: 'journal_lines',
  invoices: 'invoices',
  periods: 'periods',
} as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function quotedSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`"${schema}" is not a plain SQL identifier (${SCHEMA_NAME.source})`);
  }
  return `"${schema}"`;
}

/** DDL of the books in `schema`; re-runnable (IF NOT EXISTS). */
function createStatements(schema: string): string[] {
  const s = quotedSchema(schema);
  const t = BOOKS_TABLES;
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.${t.priceSchedules} (
      currency text COLLATE "C" NOT NULL,
      version int NOT NULL,
      effective_from timestamptz NOT NULL,
      data jsonb NOT NULL,
      event_id text NOT NULL,
      PRIMARY KEY (currency, version)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.billingProfiles} (
      unit_id text COLLATE "C" PRIMARY KEY,
      currency text NOT NULL,
      cost_centre text NOT NULL,
      event_id text NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.usageFacts} (
      usage_id text COLLATE "C" PRIMARY KEY,
      unit_id text COLLATE "C" NOT NULL,
      use_case text NOT NULL,
      usefulness_class text,
      model text,
      occurred_at timestamptz NOT NULL,
      service_period text COLLATE "C" NOT NULL,
      requests numeric(20,0) NOT NULL,
      energy_micro_wh numeric(20,0) NOT NULL,
      carbon_micro_g numeric(20,0) NOT NULL,
      status text NOT NULL CHECK (status IN ('unpriced','charged')),
      currency text COLLATE "C" NOT NULL,
      schedule_version int,
      multiplier_ppm numeric(20,0),
      usage_line_id text
    )`,
    `CREATE INDEX IF NOT EXISTS usage_facts_period_unit ON ${s}.${t.usageFacts} (service_period, unit_id)`,
    `CREATE INDEX IF NOT EXISTS usage_facts_status_currency ON ${s}.${t.usageFacts} (status, currency)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.chargeLines} (
      line_id text COLLATE "C" PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('usage','surcharge','credit_note','debit_note')),
      usage_id text COLLATE "C" NOT NULL,
      unit_id text COLLATE "C" NOT NULL,
      use_case text NOT NULL,
      usefulness_class text,
      model text,
      currency text COLLATE "C" NOT NULL,
      cost_centre text NOT NULL,
      service_period text COLLATE "C" NOT NULL,
      billing_period text COLLATE "C" NOT NULL,
      adjusts_invoice text,
      occurred_at timestamptz NOT NULL,
      booked_at timestamptz NOT NULL,
      requests numeric(20,0) NOT NULL,
      energy_micro_wh numeric(20,0) NOT NULL,
      carbon_micro_g numeric(20,0) NOT NULL,
      amount_micro numeric(30,0) NOT NULL,
      schedule_version int NOT NULL,
      multiplier_ppm numeric(20,0) NOT NULL,
      budget_id text,
      invoice_number text,
      global_position bigint NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS charge_lines_billing_unit ON ${s}.${t.chargeLines} (billing_period, unit_id)`,
    `CREATE INDEX IF NOT EXISTS charge_lines_service_unit ON ${s}.${t.chargeLines} (service_period, unit_id)`,
    `CREATE INDEX IF NOT EXISTS charge_lines_usage ON ${s}.${t.chargeLines} (usage_id)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.pendingOverruns} (
      usage_id text COLLATE "C" NOT NULL,
      budget_id text COLLATE "C" NOT NULL,
      data jsonb NOT NULL,
      PRIMARY KEY (usage_id, budget_id)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.journalLines} (
      entry_id text COLLATE "C" NOT NULL,
      side text NOT NULL CHECK (side IN ('debit','credit')),
      account text NOT NULL,
      cost_centre text NOT NULL,
      debit_micro numeric(30,0) NOT NULL,
      credit_micro numeric(30,0) NOT NULL,
      currency text COLLATE "C" NOT NULL,
      entry_date date NOT NULL,
      reference text NOT NULL,
      billing_period text COLLATE "C" NOT NULL,
      unit_id text COLLATE "C" NOT NULL,
      line_id text NOT NULL,
      global_position bigint NOT NULL,
      PRIMARY KEY (entry_id, side)
    )`,
    `CREATE INDEX IF NOT EXISTS journal_lines_period_position ON ${s}.${t.journalLines} (billing_period, global_position)`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.invoices} (
      invoice_number text COLLATE "C" PRIMARY KEY,
      period text COLLATE "C" NOT NULL,
      sequence int NOT NULL,
      unit_id text COLLATE "C" NOT NULL,
      currency text COLLATE "C" NOT NULL,
      cost_centre text NOT NULL,
      total_micro numeric(30,0) NOT NULL,
      line_count int NOT NULL,
      issued_at timestamptz NOT NULL,
      data jsonb NOT NULL,
      UNIQUE (period, sequence)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.${t.periods} (
      period text COLLATE "C" PRIMARY KEY,
      closed_at timestamptz NOT NULL,
      invoice_count int NOT NULL,
      data jsonb NOT NULL
    )`,
  ];
}

const KNOWN_TYPES = new Set<string>(Object.values(BILLING_EVENT_TYPES));

type BillingRecordedEvent = RecordedEvent<BillingEvent>;

function isBillingEvent(event: RecordedEvent): event is BillingRecordedEvent {
  return KNOWN_TYPES.has(event.type);
}

/** Thrown when the books and the events disagree (a bug or an edited table): the batch fails loudly. */
export class BooksProjectionError extends Error {
  override readonly name = 'BooksProjectionError';
}

async function putSchedule(
  c: ProjectionContext,
  e: BillingRecordedEvent,
  d: PriceSchedulePublishedData,
): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.priceSchedules)} (currency, version, effective_from, data, event_id)
     VALUES ($1, $2, $3::timestamptz, $4::jsonb, $5)`,
    [d.currency, d.version, d.effectiveFrom, JSON.stringify(d), e.eventId],
  );
}

async function putProfile(
  c: ProjectionContext,
  e: BillingRecordedEvent,
  d: BillingProfileSetData,
): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.billingProfiles)} (unit_id, currency, cost_centre, event_id)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (unit_id) DO UPDATE SET currency = EXCLUDED.currency,
       cost_centre = EXCLUDED.cost_centre, event_id = EXCLUDED.event_id`,
    [d.unitId, d.currency, d.costCentre, e.eventId],
  );
}

async function putUsageFact(
  c: ProjectionContext,
  d: UsageHeldUnpricedData | UsageChargedData,
  charged: { scheduleVersion: number; multiplierPpm: string; lineId: string } | null,
): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.usageFacts)} (usage_id, unit_id, use_case, usefulness_class,
       model, occurred_at, service_period, requests, energy_micro_wh, carbon_micro_g, status,
       currency, schedule_version, multiplier_ppm, usage_line_id)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8::numeric, $9::numeric, $10::numeric, $11,
       $12, $13::int, $14::numeric, $15)
     ON CONFLICT (usage_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, use_case = EXCLUDED.use_case,
       usefulness_class = EXCLUDED.usefulness_class, model = EXCLUDED.model,
       occurred_at = EXCLUDED.occurred_at, service_period = EXCLUDED.service_period,
       requests = EXCLUDED.requests, energy_micro_wh = EXCLUDED.energy_micro_wh,
       carbon_micro_g = EXCLUDED.carbon_micro_g, status = EXCLUDED.status,
       currency = EXCLUDED.currency, schedule_version = EXCLUDED.schedule_version,
       multiplier_ppm = EXCLUDED.multiplier_ppm, usage_line_id = EXCLUDED.usage_line_id`,
    [
      d.usageId,
      d.unitId,
      d.useCase,
      d.usefulnessClass,
      d.model,
      d.occurredAt,
      d.servicePeriod,
      d.requests,
      d.energyMicroWh,
      d.carbonMicroGrams,
      charged === null ? 'unpriced' : 'charged',
      d.currency,
      charged?.scheduleVersion ?? null,
      charged?.multiplierPpm ?? null,
      charged?.lineId ?? null,
    ],
  );
}

interface LineRow {
  kind: ChargeLineKind;
  usageId: string;
  unitId: string;
  useCase: string;
  usefulnessClass: string | null;
  model: string | null;
  servicePeriod: string;
  /** ISO instant; null = the usage fact's occurred_at. */
  occurredAt: string | null;
  requests: string;
  energyMicroWh: string;
  carbonMicroGrams: string;
  budgetId: string | null;
  billing: LineBillingData;
}

/** The charge line, then its journal entry (0 or 2 lines). */
async function putLine(c: ProjectionContext, e: BillingRecordedEvent, l: LineRow): Promise<void> {
  const b = l.billing;
  const inserted = await c.sql.query<{ occurred_at: string }>(
    `INSERT INTO ${c.table(BOOKS_TABLES.chargeLines)} (line_id, kind, usage_id, unit_id, use_case,
       usefulness_class, model, currency, cost_centre, service_period, billing_period,
       adjusts_invoice, occurred_at, booked_at, requests, energy_micro_wh, carbon_micro_g,
       amount_micro, schedule_version, multiplier_ppm, budget_id, invoice_number, global_position)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
       COALESCE($13::timestamptz, f.occurred_at), $14::timestamptz, $15::numeric, $16::numeric,
       $17::numeric, $18::numeric, $19::int, $20::numeric, $21, NULL, $22::bigint
       FROM (SELECT 1) AS one
       LEFT JOIN ${c.table(BOOKS_TABLES.usageFacts)} AS f ON f.usage_id = $3
     RETURNING occurred_at::text AS occurred_at`,
    [
      b.lineId,
      l.kind,
      l.usageId,
      l.unitId,
      l.useCase,
      l.usefulnessClass,
      l.model,
      b.currency,
      b.costCentre,
      l.servicePeriod,
      b.billingPeriod,
      b.adjustsInvoice,
      l.occurredAt,
      b.bookedAt,
      l.requests,
      l.energyMicroWh,
      l.carbonMicroGrams,
      b.amountMicro,
      b.scheduleVersion,
      b.multiplierPpm,
      l.budgetId,
      e.globalPosition.toString(),
    ],
  );
  if (inserted.length !== 1) {
    throw new BooksProjectionError(`charge line ${b.lineId} was not inserted`);
  }
  const lines = journalEntry({
    lineId: b.lineId,
    amountMicro: BigInt(b.amountMicro),
    currency: b.currency,
    costCentre: b.costCentre,
    bookedAt: b.bookedAt,
    billingPeriod: b.billingPeriod,
    unitId: l.unitId,
    reference: journalReference(l.kind, l.usageId),
    accounts: b.accounts,
  });
  if (lines.length === 0) return;
  const column = <T>(pick: (line: (typeof lines)[number]) => T): T[] => lines.map(pick);
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.journalLines)} (entry_id, side, account, cost_centre,
       debit_micro, credit_micro, currency, entry_date, reference, billing_period, unit_id, line_id,
       global_position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[],
       $6::numeric[], $7::text[], $8::date[], $9::text[], $10::text[], $11::text[], $12::text[],
       $13::bigint[])`,
    [
      column((j) => j.entryId),
      column((j) => j.side),
      column((j) => j.account),
      column((j) => j.costCentre),
      column((j) => j.debitMicro.toString()),
      column((j) => j.creditMicro.toString()),
      column((j) => j.currency),
      column((j) => j.entryDate),
      column((j) => j.reference),
      column((j) => j.billingPeriod),
      column((j) => j.unitId),
      column((j) => j.lineId),
      column(() => e.globalPosition.toString()),
    ],
  );
}

async function usageCharged(
  c: ProjectionContext,
  e: BillingRecordedEvent,
  d: UsageChargedData,
): Promise<void> {
  await putUsageFact(c, d, {
    scheduleVersion: d.scheduleVersion,
    multiplierPpm: d.multiplierPpm,
    lineId: d.lineId,
  });
  await putLine(c, e, {
    kind: 'usage',
    usageId: d.usageId,
    unitId: d.unitId,
    useCase: d.useCase,
    usefulnessClass: d.usefulnessClass,
    model: d.model,
    servicePeriod: d.servicePeriod,
    occurredAt: d.occurredAt,
    requests: d.requests,
    energyMicroWh: d.energyMicroWh,
    carbonMicroGrams: d.carbonMicroGrams,
    budgetId: null,
    billing: d,
  });
}

async function adjustmentCharged(
  c: ProjectionContext,
  e: BillingRecordedEvent,
  d: UsageAdjustmentChargedData,
): Promise<void> {
  const updated = await c.sql.query(
    `UPDATE ${c.table(BOOKS_TABLES.usageFacts)}
        SET energy_micro_wh = $2::numeric, carbon_micro_g = $3::numeric
      WHERE usage_id = $1 RETURNING usage_id`,
    [d.usageId, d.energyMicroWh, d.carbonMicroGrams],
  );
  if (updated.length !== 1) {
    throw new BooksProjectionError(
      `adjustment ${e.eventId} of a usage not in the books: ${d.usageId}`,
    );
  }
  await putLine(c, e, {
    kind: d.note === 'credit' ? 'credit_note' : 'debit_note',
    usageId: d.usageId,
    unitId: d.unitId,
    useCase: d.useCase,
    usefulnessClass: d.usefulnessClass,
    model: d.model,
    servicePeriod: d.servicePeriod,
    occurredAt: null,
    requests: '0',
    energyMicroWh: d.energyDeltaMicroWh,
    carbonMicroGrams: d.carbonDeltaMicroGrams,
    budgetId: null,
    billing: d,
  });
}

/**
 * A pending overrun waits for its usage to be charged. When the usage is already charged, the
 * event is the audit trace of an overrun the schedule did not surcharge (no tiers): nothing is
 * pending.
 */
async function overrunNoted(c: ProjectionContext, d: OverrunNotedData): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.pendingOverruns)} (usage_id, budget_id, data)
     SELECT $1, $2, $3::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM ${c.table(BOOKS_TABLES.usageFacts)}
                         WHERE usage_id = $1 AND status = 'charged')
     ON CONFLICT (usage_id, budget_id) DO UPDATE SET data = EXCLUDED.data`,
    [d.usageId, d.budgetId, JSON.stringify(d)],
  );
}

async function surchargeCharged(
  c: ProjectionContext,
  e: BillingRecordedEvent,
  d: OverrunSurchargeChargedData,
): Promise<void> {
  await c.sql.query(
    `DELETE FROM ${c.table(BOOKS_TABLES.pendingOverruns)} WHERE usage_id = $1 AND budget_id = $2`,
    [d.usageId, d.budgetId],
  );
  await putLine(c, e, {
    kind: 'surcharge',
    usageId: d.usageId,
    unitId: d.unitId,
    useCase: d.useCase,
    usefulnessClass: d.usefulnessClass,
    model: d.model,
    servicePeriod: d.servicePeriod,
    occurredAt: null,
    requests: '0',
    energyMicroWh: '0',
    carbonMicroGrams: '0',
    budgetId: d.budgetId,
    billing: d,
  });
}

async function invoiceIssued(c: ProjectionContext, d: InvoiceIssuedData): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.invoices)} (invoice_number, period, sequence, unit_id,
       currency, cost_centre, total_micro, line_count, issued_at, data)
     VALUES ($1, $2, $3::int, $4, $5, $6, $7::numeric, $8::int, $9::timestamptz, $10::jsonb)`,
    [
      d.invoiceNumber,
      d.period,
      d.sequence,
      d.unitId,
      d.currency,
      d.costCentre,
      d.totalMicro,
      d.lineCount,
      d.issuedAt,
      JSON.stringify(d),
    ],
  );
  await c.sql.query(
    `UPDATE ${c.table(BOOKS_TABLES.chargeLines)} SET invoice_number = $1
      WHERE billing_period = $2 AND unit_id = $3 AND currency = $4 AND invoice_number IS NULL`,
    [d.invoiceNumber, d.period, d.unitId, d.currency],
  );
}

async function periodClosed(c: ProjectionContext, d: PeriodClosedData): Promise<void> {
  await c.sql.query(
    `INSERT INTO ${c.table(BOOKS_TABLES.periods)} (period, closed_at, invoice_count, data)
     VALUES ($1, $2::timestamptz, $3::int, $4::jsonb)`,
    [d.period, d.closedAt, d.invoiceCount, JSON.stringify(d)],
  );
}

async function applyOne(c: ProjectionContext, e: BillingRecordedEvent): Promise<void> {
  switch (e.type) {
    case 'PriceSchedulePublished':
      return putSchedule(c, e, e.data);
    case 'BillingProfileSet':
      return putProfile(c, e, e.data);
    case 'UsageHeldUnpriced':
      return putUsageFact(c, e.data, null);
    case 'UsageCharged':
      return usageCharged(c, e, e.data);
    case 'UsageAdjustmentCharged':
      return adjustmentCharged(c, e, e.data);
    case 'OverrunNoted':
      return overrunNoted(c, e.data);
    case 'OverrunSurchargeCharged':
      return surchargeCharged(c, e, e.data);
    case 'InvoiceIssued':
      return invoiceIssued(c, e.data);
    case 'PeriodClosed':
      return periodClosed(c, e.data);
  }
}

/** Applies the batch in order; events of other types (other services' streams) are ignored. */
async function apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
  for (const event of events) {
    if (isBillingEvent(event)) await applyOne(context, event);
  }
}

export const BOOKS_PROJECTION: Projection = {
  name: BOOKS_PROJECTION_NAME,
  tables: [
    { name: BOOKS_TABLES.priceSchedules },
    { name: BOOKS_TABLES.billingProfiles },
    { name: BOOKS_TABLES.usageFacts },
    { name: BOOKS_TABLES.chargeLines },
    { name: BOOKS_TABLES.pendingOverruns },
    { name: BOOKS_TABLES.journalLines },
    { name: BOOKS_TABLES.invoices },
    { name: BOOKS_TABLES.periods },
  ],
  createStatements,
  apply,
};

/** Applies `events` (just appended in `tx`, in order) to the live books in `schema`, inline. */
export async function projectEvents(
  tx: TransactionalEventStore,
  schema: string,
  events: readonly RecordedEvent[],
): Promise<void> {
  await BOOKS_PROJECTION.apply(events, projectionContext(tx, schema, BOOKS_PROJECTION));
}
