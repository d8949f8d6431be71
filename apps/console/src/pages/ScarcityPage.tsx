// Scarcity: reservations refused by reason and usefulness class over time, the units refused most
// and the units that cannot reserve right now (GET /v1/budgets/{id}/refusals). Refreshes itself
// every 5 s while the tab is visible, so a refusal made elsewhere shows up.
import { useId, useMemo, useState } from 'react';
import { api, enc, query } from '../api/client';
import type { Budget, Refusals } from '../api/types';
import {
  AsyncStatus,
  Amount,
  BudgetPicker,
  DataTable,
  Empty,
  PageHeader,
  StackedBars,
  type Column,
} from '../components';
import { useAsync } from '../hooks/useAsync';
import { formatDateTime } from '../lib/format';
import { bucketLabel, sortedCounts, stackRefusals } from '../lib/scarcity';
import { useAutoRefresh } from '../hooks/useAutoRefresh';

const REFRESH_MS = 5_000;
type Span = 'period' | '48h';
type Blocked = Refusals['blocked'][number];
type Shed = NonNullable<Refusals['shed']>[number];

export function ScarcityPage() {
  const [budget, setBudget] = useState<Budget | undefined>();
  const [span, setSpan] = useState<Span>('period');
  const [autoRefresh, setAutoRefresh] = useState(true);
  const windowId = useId();
  const autoId = useId();

  const refusals = useAsync(budget ? `${budget.budgetId}|${span}` : null, async (signal) => {
    const params =
      span === '48h'
        ? { from: new Date(Date.now() - 48 * 3_600_000).toISOString(), bucket: 'hour' }
        : {};
    const body = await api<Refusals>(
      'allocation',
      `/v1/budgets/${enc(budget?.budgetId ?? '')}/refusals${query(params)}`,
      { signal },
    );
    return { body, readAt: new Date().toISOString() };
  });
  useAutoRefresh(autoRefresh && budget !== undefined, REFRESH_MS, refusals.reload);

  return (
    <>
      <PageHeader
        title="Scarcity"
        description="Reservations refused by reason and usefulness class over time, and the units that cannot reserve now."
      />
      <div className="toolbar">
        <BudgetPicker onBudget={setBudget} />
        <div className="field">
          <label htmlFor={windowId}>Window</label>
          <select
            id={windowId}
            value={span}
            onChange={(event) => setSpan(event.target.value as Span)}
          >
            <option value="period">Budget period, by day</option>
            <option value="48h">Last 48 hours, by hour</option>
          </select>
        </div>
        <div className="field-check">
          <input
            id={autoId}
            type="checkbox"
            checked={autoRefresh}
            onChange={(event) => setAutoRefresh(event.target.checked)}
          />
          <label htmlFor={autoId}>Refresh every 5 s</label>
        </div>
        <button type="button" onClick={refusals.reload} disabled={!budget}>
          Refresh
        </button>
      </div>
      <AsyncStatus
        state={refusals}
        errorTitle="Refusals could not be read"
        loadingLabel="Loading refusals"
      />
      {refusals.data && budget && (
        <RefusalsView
          data={refusals.data.body}
          readAt={refusals.data.readAt}
          dimension={budget.dimension}
        />
      )}
    </>
  );
}

function RefusalsView({
  data,
  readAt,
  dimension,
}: {
  data: Refusals;
  readAt: string;
  dimension: string;
}) {
  const byReason = useMemo(
    () => stackRefusals(data.series, 'reason', (at) => bucketLabel(at, data.bucket)),
    [data],
  );
  const byClass = useMemo(
    () => stackRefusals(data.series, 'usefulnessClass', (at) => bucketLabel(at, data.bucket)),
    [data],
  );
  // The blocked and shed tables: a unit, why it cannot reserve, what it has left.
  const unitColumn: Column<Blocked> = {
    header: 'Unit',
    rowHeader: true,
    cell: (row) => row.unitId,
  };
  const whyColumn: Column<Blocked> = { header: 'Why', cell: (row) => <code>{row.reason}</code> };
  const availableColumn: Column<Blocked> = {
    header: 'Available',
    numeric: true,
    cell: (row) => <Amount value={row.available} dimension={dimension} />,
  };
  const reasons = sortedCounts(data.totals.byReason);
  const classes = sortedCounts(data.totals.byClass);
  return (
    <>
      <p className="muted small" aria-live="polite">
        {formatDateTime(data.from)} to {formatDateTime(data.to)}, by {data.bucket}. Updated{' '}
        {formatDateTime(readAt)}.
      </p>
      <dl className="figures">
        <div>
          <dt>Refused reservations</dt>
          <dd>{data.totals.count}</dd>
        </div>
        <div>
          <dt>Quantity refused</dt>
          <dd>
            <Amount value={data.totals.requested} dimension={dimension} />
          </dd>
        </div>
        <div>
          <dt>Units blocked now</dt>
          <dd>{data.blocked.length}</dd>
        </div>
      </dl>
      {data.totals.count === 0 ? (
        <Empty>No reservation was refused in this window.</Empty>
      ) : (
        <div className="grid-2">
          <section className="panel" aria-labelledby="scarcity-by-reason">
            <h2 id="scarcity-by-reason">Refusals by reason</h2>
            <StackedBars data={byReason} label="Refusals over time, stacked by reason" />
            <DataTable
              caption="Refusals by reason"
              captionHidden
              columns={[
                { header: 'Reason', rowHeader: true, cell: ([reason]) => <code>{reason}</code> },
                { header: 'Refusals', numeric: true, cell: ([, count]) => count },
              ]}
              rows={reasons}
              rowKey={([reason]) => reason}
            />
          </section>
          <section className="panel" aria-labelledby="scarcity-by-class">
            <h2 id="scarcity-by-class">Refusals by usefulness class</h2>
            <StackedBars data={byClass} label="Refusals over time, stacked by usefulness class" />
            <DataTable
              caption="Refusals by usefulness class"
              captionHidden
              columns={[
                { header: 'Usefulness class', rowHeader: true, cell: ([name]) => name },
                { header: 'Refusals', numeric: true, cell: ([, count]) => count },
              ]}
              rows={classes}
              rowKey={([name]) => name}
            />
          </section>
        </div>
      )}
      <div className="grid-2">
        <section className="panel" aria-labelledby="scarcity-blocked">
          <h2 id="scarcity-blocked">Units blocked now</h2>
          <DataTable
            caption="Units that cannot reserve right now"
            captionHidden
            columns={[unitColumn, whyColumn, availableColumn]}
            rows={data.blocked}
            rowKey={(row) => `${row.unitId}|${row.reason}`}
            empty="No unit is blocked: every unit can still reserve."
          />
          <h3>Classes shed now</h3>
          <DataTable
            caption="Usefulness classes a unit cannot reserve for at its current utilisation"
            captionHidden
            columns={[
              unitColumn,
              { header: 'Class', cell: (row: Shed) => row.className },
              whyColumn,
              availableColumn,
            ]}
            rows={data.shed ?? []}
            rowKey={(row) => `${row.unitId}|${row.className}`}
            empty="No class is shed: every allowed class can still reserve."
          />
        </section>
        <section className="panel" aria-labelledby="scarcity-most-refused">
          <h2 id="scarcity-most-refused">Units refused most</h2>
          <DataTable
            caption="Units refused most in this window"
            captionHidden
            columns={[
              { header: 'Unit', rowHeader: true, cell: (row) => row.unitId },
              { header: 'Refusals', numeric: true, cell: (row) => row.count },
              { header: 'Last refused', cell: (row) => formatDateTime(row.lastRefusedAt) },
              { header: 'Last reason', cell: (row) => <code>{row.lastReason}</code> },
            ]}
            rows={[...data.units].sort(
              (a, b) => b.count - a.count || a.unitId.localeCompare(b.unitId),
            )}
            rowKey={(row) => row.unitId}
            empty="No unit was refused in this window."
          />
        </section>
      </div>
    </>
  );
}
