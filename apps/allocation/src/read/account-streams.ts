// Finding account streams in the ledger's `streams` table (one row per stream, written in the
// same transaction as its events, so the lookup is as consistent as the events themselves).
// Account stream ids are `account-<len(budgetId)>:<budgetId>:<unitId>`; the length prefix makes
// the split unambiguous even when ids contain ':' (see domain/stream-ids.ts).
import { assertSchemaName, type SqlExecutor } from '@plafond/ledger';
import { accountStreamId } from '../domain';

export interface AccountStreamRef {
  streamId: string;
  budgetId: string;
  unitId: string;
}

const ACCOUNT_PREFIX = /^account-(0|[1-9][0-9]{0,8}):/;

/**
 * The budget and unit of an account stream id, or null when the id is not one. Lengths are
 * JavaScript string lengths, as `accountStreamId` writes them; the result is checked by
 * rebuilding the id.
 */
export function parseAccountStreamId(streamId: string): AccountStreamRef | null {
  const match = ACCOUNT_PREFIX.exec(streamId);
  if (match === null) return null;
  const length = Number(match[1]);
  const rest = streamId.slice(match[0].length);
  if (rest.length < length + 1 || rest[length] !== ':') return null;
  const budgetId = rest.slice(0, length);
  const unitId = rest.slice(length + 1);
  if (accountStreamId(budgetId, unitId) !== streamId) return null;
  return { streamId, budgetId, unitId };
}

export const quotedSchema = (schema: string): string => {
  assertSchemaName(schema);
  return `"${schema}"`;
};

/**
 * Every account of a budget, by unit id. A range on the primary key (`stream_id` is COLLATE "C",
 * so bytes compare in order): the ids starting with `account-<n>:<budgetId>:` sort from that
 * prefix up to the same prefix ending in ';' (the byte after ':').
 */
export async function accountStreamsOfBudget(
  sql: SqlExecutor,
  schema: string,
  budgetId: string,
): Promise<AccountStreamRef[]> {
  const prefix = accountStreamId(budgetId, '');
  const upper = `${prefix.slice(0, -1)};`;
  const rows = await sql.query<{ stream_id: string }>(
    `SELECT stream_id FROM ${quotedSchema(schema)}.streams
      WHERE stream_id >= $1 AND stream_id < $2 ORDER BY stream_id`,
    [prefix, upper],
  );
  return rows
    .map((row) => parseAccountStreamId(row.stream_id))
    .filter((ref): ref is AccountStreamRef => ref !== null && ref.budgetId === budgetId);
}

/**
 * Every account of a unit, across budgets. The unit id is at the end of the stream id, so this is
 * a scan of the account range filtered on the suffix, then parsed (a budget id containing ':'
 * could otherwise fake a suffix).
 */
export async function accountStreamsOfUnit(
  sql: SqlExecutor,
  schema: string,
  unitId: string,
): Promise<AccountStreamRef[]> {
  const suffix = `:${unitId}`;
  const rows = await sql.query<{ stream_id: string }>(
    `SELECT stream_id FROM ${quotedSchema(schema)}.streams
      WHERE stream_id >= 'account-' AND stream_id < 'account.'
        AND right(stream_id, char_length($1)) = $1
      ORDER BY stream_id`,
    [suffix],
  );
  return rows
    .map((row) => parseAccountStreamId(row.stream_id))
    .filter((ref): ref is AccountStreamRef => ref !== null && ref.unitId === unitId);
}
