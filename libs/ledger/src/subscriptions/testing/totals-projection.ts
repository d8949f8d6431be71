import type { RecordedEvent } from '../../types';
import type { Projection, ProjectionContext } from '../projection';

/**
 * Per-stream totals: a small but realistic read model. Amounts go through numeric(38,0) so sums
 * beyond 2^53 stay exact; `failOnEventId` injects a crash in the middle of a batch, after some
 * rows were already written in the batch transaction.
 */
export function totalsProjection(
  options: { failOnEventId?: () => string | undefined } = {},
): Projection {
  return {
    name: 'totals',
    tables: [{ name: 'stream_totals' }, { name: 'applied_events' }],
    createStatements: (schema) => [
      `CREATE TABLE IF NOT EXISTS "${schema}".stream_totals (
        stream_id text PRIMARY KEY,
        event_count bigint NOT NULL,
        amount_total numeric(38, 0) NOT NULL,
        last_version bigint NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS "${schema}".applied_events (
        event_id text PRIMARY KEY,
        global_position bigint NOT NULL
      )`,
    ],
    async apply(events: readonly RecordedEvent[], context: ProjectionContext) {
      for (const event of events) {
        if (options.failOnEventId?.() === event.eventId)
          throw new Error(`injected failure at ${event.eventId}`);
        const amount = (event.data as { amount: string }).amount;
        await context.sql.query(
          `INSERT INTO ${context.table('stream_totals')} AS t (stream_id, event_count, amount_total, last_version)
           VALUES ($1, 1, $2::numeric, $3::bigint)
           ON CONFLICT (stream_id) DO UPDATE SET event_count = t.event_count + 1,
             amount_total = t.amount_total + EXCLUDED.amount_total, last_version = EXCLUDED.last_version`,
          [event.streamId, amount, event.streamVersion.toString()],
        );
        // A primary key here turns any double application into a hard failure.
        await context.sql.query(
          `INSERT INTO ${context.table('applied_events')} (event_id, global_position) VALUES ($1, $2)`,
          [event.eventId, event.globalPosition.toString()],
        );
      }
    },
  };
}
