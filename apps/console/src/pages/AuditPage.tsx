// Audit: the event history of a unit or of a budget, newest first, with actor, reason and
// correlation id, paged ("Older events"), each event's data expandable; and ledger verification
// on every service the keys may verify.
import { useId, useState } from 'react';
import { api, enc, query } from '../api/client';
import type { Budget, History, UnitNode } from '../api/types';
import {
  AsyncStatus,
  BudgetPicker,
  DataTable,
  Empty,
  ErrorMessage,
  Loading,
  PageHeader,
} from '../components';
import { asApiError, useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import { formatDateTime } from '../lib/format';
import { useSession } from '../session';
import { VerifyLedgers } from './audit/VerifyLedgers';

const PAGE_SIZE = 25;

type Subject = 'unit' | 'budget';

function flatten(node: UnitNode, out: UnitNode[] = []): UnitNode[] {
  out.push(node);
  for (const child of node.children) flatten(child, out);
  return out;
}

export function AuditPage() {
  const session = useSession();
  const canUnit = session.can('allocation', 'GET', '/v1/units/{unitId}/history');
  const canBudget = session.can('allocation', 'GET', '/v1/budgets/{budgetId}/history');
  const canHistory = canUnit || canBudget;
  return (
    <>
      <PageHeader
        title="Audit"
        description="Who did what, when and why: the event history of a unit or a budget, and ledger verification."
      />
      <VerifyLedgers session={session} />
      {canHistory ? (
        <HistorySection canUnit={canUnit} canBudget={canBudget} />
      ) : (
        <Empty>
          The event history needs an allocation key of an admin, auditor or unit manager. Add one
          from the header to read it.
        </Empty>
      )}
    </>
  );
}

function HistorySection({ canUnit, canBudget }: { canUnit: boolean; canBudget: boolean }) {
  const session = useSession();
  const subjectName = useId();
  const unitId = useId();
  const [budget, setBudget] = useState<Budget | undefined>();
  const [subjectParam, setSubject] = useHashParam('subject');
  const [unitParam, setUnit] = useHashParam('unit');
  const subject: Subject = !canUnit || (subjectParam === 'budget' && canBudget) ? 'budget' : 'unit';

  const root = session.scopeUnitId('allocation') ?? budget?.perimeterUnitId;
  const units = useAsync(canUnit && root ? root : null, async (signal) =>
    flatten(await api<UnitNode>('allocation', `/v1/units/${enc(root ?? '')}`, { signal })),
  );
  const unit = units.data?.find((node) => node.unitId === unitParam) ?? units.data?.[0];
  const path =
    subject === 'budget'
      ? budget && `/v1/budgets/${enc(budget.budgetId)}/history`
      : unit && `/v1/units/${enc(unit.unitId)}/history`;

  return (
    <section className="panel" aria-labelledby="audit-history">
      <h2 id="audit-history">Event history</h2>
      <div className="toolbar">
        {canUnit && canBudget && (
          <fieldset className="radio-group">
            <legend>History of</legend>
            {(['unit', 'budget'] as const).map((value) => (
              <label key={value}>
                <input
                  type="radio"
                  name={subjectName}
                  value={value}
                  checked={subject === value}
                  onChange={() => setSubject(value)}
                />{' '}
                {value === 'unit' ? 'A unit' : 'The budget'}
              </label>
            ))}
          </fieldset>
        )}
        <BudgetPicker onBudget={setBudget} />
        {subject === 'unit' && units.data && (
          <div className="field">
            <label htmlFor={unitId}>Unit</label>
            <select
              id={unitId}
              value={unit?.unitId ?? ''}
              onChange={(event) => setUnit(event.target.value)}
            >
              {units.data.map((node) => (
                <option key={node.unitId} value={node.unitId}>
                  {'\u00a0\u00a0'.repeat(node.depth)}
                  {node.name} ({node.unitId})
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {subject === 'unit' && (
        <AsyncStatus
          state={units}
          errorTitle="The units could not be read"
          loadingLabel="Loading units"
          whileReloading
        />
      )}
      {path ? <HistoryList path={path} /> : null}
    </section>
  );
}

function HistoryList({ path }: { path: string }) {
  const first = useAsync(path, (signal) =>
    api<History>('allocation', `${path}${query({ limit: PAGE_SIZE })}`, { signal }),
  );
  // Older pages fetched with "Older events", for this path only.
  const [older, setOlder] = useState<{ path: string; pages: History[] }>({ path, pages: [] });
  const [olderError, setOlderError] = useState<unknown>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const olderPages = older.path === path ? older.pages : [];
  const events = [...(first.data?.events ?? []), ...olderPages.flatMap((page) => page.events)];
  const nextBefore =
    olderPages.length > 0
      ? (olderPages[olderPages.length - 1]?.nextBefore ?? null)
      : (first.data?.nextBefore ?? null);
  const status = first.status === 'ok' && !loadingOlder ? 'ok' : first.status;

  async function loadOlder() {
    if (nextBefore === null) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await api<History>(
        'allocation',
        `${path}${query({ limit: PAGE_SIZE, before: nextBefore })}`,
      );
      setOlder({ path, pages: [...olderPages, page] });
    } catch (caught) {
      setOlderError(asApiError(caught));
    } finally {
      setLoadingOlder(false);
    }
  }

  return (
    <>
      {first.status === 'error' && (
        <ErrorMessage
          error={first.error}
          title="The history could not be read"
          onRetry={first.reload}
        />
      )}
      {olderError !== null && (
        <ErrorMessage error={olderError} title="Older events could not be read" />
      )}
      {status === 'loading' && events.length === 0 && <Loading label="Loading events" />}
      {status !== 'loading' || events.length > 0 ? (
        <DataTable
          caption="Events, newest first"
          captionHidden
          columns={[
            { header: 'When', rowHeader: true, cell: (event) => formatDateTime(event.occurredAt) },
            { header: 'Event', cell: (event) => <code>{event.type}</code> },
            { header: 'Actor', cell: (event) => event.actor ?? '—' },
            { header: 'Reason', cell: (event) => event.reason ?? <span className="muted">—</span> },
            {
              header: 'Data',
              cell: (event) => (
                <details>
                  <summary>
                    #{event.position} · {event.streamId} v{event.version}
                  </summary>
                  <pre className="event-data">{JSON.stringify(event.data, null, 2)}</pre>
                  {event.correlationId && (
                    <p className="small muted">correlation id {event.correlationId}</p>
                  )}
                  <p className="small muted">recorded {formatDateTime(event.recordedAt)}</p>
                </details>
              ),
            },
          ]}
          rows={events}
          rowKey={(event) => event.position}
          empty={status === 'ok' ? 'No event recorded yet.' : 'Loading events…'}
        />
      ) : null}
      <p className="muted small" aria-live="polite">
        {events.length} events shown{nextBefore === null && status === 'ok' ? ' (all of them)' : ''}
        .
      </p>
      {nextBefore !== null && (
        <button
          type="button"
          className="secondary"
          onClick={() => void loadOlder()}
          disabled={loadingOlder}
        >
          {loadingOlder ? 'Loading…' : 'Older events'}
        </button>
      )}
    </>
  );
}
