// A usage batch the database interrupted half-way (no pool connection in time: SERVICE.BUSY).
// Items are committed in transactions of up to 20 per lane (one by one after a chunk failed), so
// when a later one cannot get a connection the earlier ones stay recorded. The pipeline stops every lane before failing (lanes.ts), so what
// is recorded is final when this runs; the answer then says exactly which items of the batch are
// recorded, read back from the ledger's index (rated_usage, written in each item's transaction).
// Sending the whole batch again is always right: those items answer `duplicate`.
import { type SqlExecutor } from '@plafond/ledger';
import { PlafondError, PlatformErrorCode } from '@plafond/platform';
import { recordedEventId, type IncomingUsage, type IngestionCaller } from '../application';

export interface RecordedItem {
  readonly index: number;
  readonly id: string;
  readonly source: string;
  readonly recordedEventId: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** (source, id) as the pipeline names an item; undefined for an item it could not even read. */
function identityOf(
  item: IncomingUsage,
  caller: IngestionCaller,
): { source: string; id: string } | undefined {
  const fields =
    item.format === 'cloudevent' ? item.event : item.format === 'json' ? item.item : undefined;
  if (!isObject(fields) || typeof fields.id !== 'string') return undefined;
  const source =
    typeof fields.source === 'string'
      ? fields.source
      : item.format === 'json'
        ? caller.allowedSource
        : null;
  return source === null ? undefined : { source, id: fields.id };
}

/** The batch's items the ledger holds now (recorded by this request or an earlier one). */
export async function recordedItems(
  sql: SqlExecutor,
  schema: string,
  items: readonly IncomingUsage[],
  caller: IngestionCaller,
): Promise<RecordedItem[]> {
  const identities = items.map((item) => identityOf(item, caller));
  const known = identities.flatMap((identity) => (identity === undefined ? [] : [identity]));
  if (known.length === 0) return [];
  const rows = await sql.query<{ source: string; event_id: string }>(
    `SELECT source, event_id FROM "${schema}".rated_usage
      WHERE (source, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [known.map((identity) => identity.source), known.map((identity) => identity.id)],
  );
  const recorded = new Set(rows.map((row) => `${row.source}\u0000${row.event_id}`));
  return identities.flatMap((identity, index) =>
    identity !== undefined && recorded.has(`${identity.source}\u0000${identity.id}`)
      ? [{ index, ...identity, recordedEventId: recordedEventId(identity.source, identity.id) }]
      : [],
  );
}

/**
 * 503 SERVICE.BUSY for a batch interrupted by the database: `details.recorded` lists the items
 * the ledger holds (null when even that could not be read: resend the batch), `details.items`
 * the batch size.
 */
export function interruptedBatch(
  recorded: readonly RecordedItem[] | null,
  items: number,
): PlafondError {
  return new PlafondError(
    PlatformErrorCode.serviceBusy,
    'The service is busy: no database connection was free in time and the batch was not ' +
      'completed. details.recorded lists its items that are recorded; send the whole batch ' +
      'again shortly (same ids): those answer duplicate, the others are recorded once.',
    { recorded, items },
    503,
  );
}
