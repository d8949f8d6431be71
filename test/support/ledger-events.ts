import type { PostgresEventStore, RecordedEvent } from '@plafond/ledger';
import { waitFor } from './wait-for';

/**
 * Every event of a ledger in commit order, once `readAll` shows all that is committed.
 *
 * `readAll` only delivers transactions older than every transaction still running on the whole
 * PostgreSQL server (so a subscription never skips an event whose transaction commits late). A
 * test that reads right after its own writes can therefore find it behind while some other
 * transaction — another suite's, a service's chunk — is open. This waits, bounded, until `readAll`
 * returns as many events as a plain count of the committed rows.
 */
export async function allLedgerEvents<E extends RecordedEvent = RecordedEvent>(
  store: PostgresEventStore,
  timeoutMs = 30_000,
): Promise<E[]> {
  const [row] = await store.sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "${store.schema.replaceAll('"', '""')}".events`,
  );
  const committed = row?.count ?? 0;
  return waitFor(
    async () => {
      const all: E[] = [];
      let after: Parameters<PostgresEventStore['readAll']>[0];
      for (;;) {
        const page = await store.readAll({ ...after, maxCount: 10_000 });
        all.push(...(page.events as E[]));
        if (page.events.length === 0) break;
        after = { after: page.checkpoint };
      }
      return all.length >= committed ? all : undefined;
    },
    {
      timeoutMs,
      intervalMs: 50,
      description: `readAll of ${store.schema} shows ${committed} events`,
    },
  );
}
