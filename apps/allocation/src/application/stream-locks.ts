// Transaction-scoped advisory locks on stream ids. Expected versions stay the guard; the locks
// make writers of one stream queue instead of losing races, across every instance sharing the
// database, and release themselves at commit, rollback or a dropped connection.
//
// Lock order, everywhere, so no two units of work wait on each other in a cycle:
//   organisation → budget streams (sorted) → account streams (sorted).
// One exception: the usage consumer applies a chunk of usages in one transaction, each taking
// its locks in this order, so the chunk as a whole does not; PostgreSQL breaks a cycle it closes
// (40P01) and the loser runs again (docs/ledger-subscriptions.md, "Inbox").
// Allocation rounds take the organisation lock shared (the tree must not change under them);
// tree changes take it exclusive. Usage debits take budget locks shared (a close must not slip
// between reading the budget and writing its accounts); budget commands take them exclusive.
import type { SqlExecutor } from '@plafond/ledger';

export type LockMode = 'exclusive' | 'shared';

/** The advisory lock class of one schema's streams (the 32-bit `key1` of the two-key form). */
const lockClass = (schema: string): string => `plafond.allocation.stream:${schema}`;

/**
 * Locks the streams in sorted order, one statement (a function scan keeps the array's order).
 * hashtext collisions only make two streams share a lock; PostgreSQL breaks the rare deadlock
 * that could then arise (40P01), and the unit of work is retried.
 */
export async function lockStreams(
  sql: SqlExecutor,
  schema: string,
  streamIds: Iterable<string>,
  mode: LockMode = 'exclusive',
): Promise<void> {
  const sorted = [...new Set(streamIds)].sort();
  if (sorted.length === 0) return;
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await sql.query(
    `SELECT count(${fn}(hashtext($1), hashtext(stream_id))) AS locked
       FROM unnest($2::text[]) AS stream_id`,
    [lockClass(schema), sorted],
  );
}
