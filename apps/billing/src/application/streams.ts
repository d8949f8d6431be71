// Stream ids, deterministic event ids, advisory locks and event metadata of the billing ledger
// (see ../domain/billing.events.ts for what each stream holds).
import { createHash } from 'node:crypto';
import type { EventMetadata, SqlExecutor } from '@plafond/ledger';
import type { CommandContext } from './command-context';

const digest = (...parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

export const scheduleStreamId = (currency: string): string => `price-schedule-${currency}`;
export const profileStreamId = (unitId: string): string => `billing-profile-${digest(unitId)}`;
/** One stream per usage (`usageId` = the usage.recorded inbox key `source#id`). */
export const usageStreamId = (usageId: string): string => `usage-${digest(usageId)}`;
export const periodStreamId = (period: string): string => `period-${period}`;

/**
 * Event ids derived from what the event is about, so a retried transaction (or a redelivered
 * message that slipped past the stream checks) writes the same ids and the ledger refuses a
 * second copy: `bill-<40 hex>`.
 */
export const billingEventId = (purpose: string, ...parts: readonly string[]): string =>
  `bill-${digest(purpose, ...parts)}`;

export const eventIds = {
  schedule: (currency: string, version: number) =>
    billingEventId('schedule', currency, String(version)),
  profile: (unitId: string, version: bigint) =>
    billingEventId('profile', unitId, version.toString()),
  held: (usageId: string, streamVersion: bigint) =>
    billingEventId('held', usageId, streamVersion.toString()),
  charged: (usageId: string) => billingEventId('charged', usageId),
  adjusted: (usageId: string, adjustmentId: string) =>
    billingEventId('adjusted', usageId, adjustmentId),
  overrunNoted: (usageId: string, budgetId: string) =>
    billingEventId('overrun-noted', usageId, budgetId),
  surcharge: (usageId: string, budgetId: string) => billingEventId('surcharge', usageId, budgetId),
  invoice: (period: string, sequence: number) =>
    billingEventId('invoice', period, String(sequence)),
  periodClosed: (period: string) => billingEventId('period-closed', period),
} as const;

export type LockMode = 'exclusive' | 'shared';

/**
 * Transaction-scoped advisory locks. Order, everywhere: currency (schedules) → closing → periods
 * (sorted). Charging takes its currency and its billing period shared; publishing a schedule
 * takes the currency and closing exclusive; closing takes closing shared and the period
 * exclusive.
 */
async function advisoryLock(
  sql: SqlExecutor,
  lockClass: string,
  keys: readonly string[],
  mode: LockMode,
): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await sql.query(
    `SELECT count(${fn}(hashtext($1), hashtext(key))) AS locked FROM unnest($2::text[]) AS key`,
    [lockClass, sorted],
  );
}

/** `plafond.billing.period:<schema>` × period key. */
export const lockPeriods = (
  sql: SqlExecutor,
  schema: string,
  periods: readonly string[],
  mode: LockMode,
): Promise<void> => advisoryLock(sql, `plafond.billing.period:${schema}`, periods, mode);

/** `plafond.billing.schedule:<schema>` × currency. */
export const lockCurrency = (
  sql: SqlExecutor,
  schema: string,
  currency: string,
  mode: LockMode,
): Promise<void> => advisoryLock(sql, `plafond.billing.schedule:${schema}`, [currency], mode);

/**
 * `plafond.billing.closing:<schema>`: a close takes it shared (before its period), a schedule
 * publication exclusive (after its currency), so a publication never checks "not in a closed
 * period" while a close is in flight. Order: currency → closing → periods.
 */
export const lockClosing = (sql: SqlExecutor, schema: string, mode: LockMode): Promise<void> =>
  advisoryLock(sql, `plafond.billing.closing:${schema}`, ['all'], mode);

/** metadata of an event: actor, correlation id, reason, the relay's partition key. */
export function eventMetadata(
  ctx: CommandContext,
  partitionKey: string,
  extra: Readonly<Record<string, string>> = {},
): EventMetadata {
  return {
    actor: ctx.actor,
    ...(ctx.correlationId === undefined ? {} : { correlationId: ctx.correlationId }),
    ...(ctx.reason === undefined ? {} : { reason: ctx.reason }),
    partitionKey,
    ...extra,
  };
}
