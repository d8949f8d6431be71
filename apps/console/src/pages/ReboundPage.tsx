// Rebound: per unit over windows (the days of a month, or months), energy per request against
// total energy, from billing's rebound report; the units whose efficiency gain was eaten by
// volume (energy per request fell while total energy rose) are highlighted, with why in words.
import { useId, useMemo } from 'react';
import { api, query } from '../api/client';
import type { ReboundReport } from '../api/types';
import { Amount, AsyncStatus, DataTable, Empty, PageHeader } from '../components';
import { useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import {
  daysOfMonth,
  monthOf,
  monthsEndingWith,
  reboundReason,
  unitSeries,
  type UnitSeries,
  type UnitWindow,
} from '../lib/rebound';
import { ReboundChart } from './rebound/ReboundChart';

const MONTH = /^\d{4}-\d{2}$/;
const MONTHS_SHOWN = 6;
const PARALLEL_REQUESTS = 6;

type Granularity = 'days' | 'months';

async function reports(windows: readonly string[], signal: AbortSignal) {
  const answers: ReboundReport[] = new Array<ReboundReport>(windows.length);
  let next = 0;
  const worker = async () => {
    while (next < windows.length) {
      const index = next;
      next += 1;
      answers[index] = await api<ReboundReport>(
        'billing',
        `/v1/reports/rebound${query({ period: windows[index] })}`,
        { signal },
      );
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_REQUESTS }, worker));
  return answers;
}

export function ReboundPage() {
  const granularityId = useId();
  const monthId = useId();
  const unitId = useId();
  const [granularityParam, setGranularity] = useHashParam('by');
  const [monthParam, setMonth] = useHashParam('month');
  const [unitParam, setUnit] = useHashParam('unit');
  const granularity: Granularity = granularityParam === 'months' ? 'months' : 'days';
  const month = monthParam && MONTH.test(monthParam) ? monthParam : monthOf(new Date());

  const loaded = useAsync(`${granularity}|${month}`, async (signal) => {
    const windows =
      granularity === 'days'
        ? daysOfMonth(month, new Date())
        : monthsEndingWith(month, MONTHS_SHOWN);
    return reports(windows, signal);
  });
  const series = useMemo(() => unitSeries(loaded.data ?? []), [loaded.data]);
  // The report's `flagged`: units on their own usage. Subtrees that rebound as a whole are
  // named apart (they rebound because of a flagged unit, or of several together).
  const flagged = series.filter((unit) => unit.scope === 'unit' && unit.flaggedIn.length > 0);
  const flaggedSubtrees = series.filter(
    (unit) => unit.scope === 'subtree' && unit.flaggedIn.length > 0,
  );
  const chosen =
    series.find((unit) => seriesKey(unit) === unitParam) ?? flagged[0] ?? series[0] ?? undefined;

  return (
    <>
      <PageHeader
        title="Rebound"
        description="Energy per request against total energy, per unit: did an efficiency gain get eaten by volume?"
      />
      <div className="toolbar">
        <div className="field">
          <label htmlFor={granularityId}>Compare</label>
          <select
            id={granularityId}
            value={granularity}
            onChange={(event) =>
              setGranularity(event.target.value === 'months' ? 'months' : undefined)
            }
          >
            <option value="days">Days of the month</option>
            <option value="months">Months ({MONTHS_SHOWN} up to this one)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={monthId}>Month</label>
          <input
            id={monthId}
            type="month"
            value={month}
            onChange={(event) => {
              if (MONTH.test(event.target.value)) setMonth(event.target.value);
            }}
          />
        </div>
        {series.length > 0 && (
          <div className="field">
            <label htmlFor={unitId}>Unit shown in the chart</label>
            <select
              id={unitId}
              value={chosen ? seriesKey(chosen) : ''}
              onChange={(event) => setUnit(event.target.value)}
            >
              {series.map((unit) => (
                <option key={seriesKey(unit)} value={seriesKey(unit)}>
                  {unit.name} ({unit.unitId}){unit.scope === 'subtree' ? ' with sub-units' : ''}
                  {unit.flaggedIn.length > 0 ? ' — rebound' : ''}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <AsyncStatus
        state={loaded}
        errorTitle="The rebound report could not be read"
        loadingLabel="Loading the rebound report"
        whileReloading
      />
      {loaded.data && loaded.data.length === 0 && <Empty>No window to show for {month} yet.</Empty>}
      {loaded.data && loaded.data.length > 0 && (
        <>
          <FlaggedUnits reports={loaded.data} flagged={flagged} subtrees={flaggedSubtrees} />
          {series.length === 0 ? (
            <Empty>No usage recorded in these windows.</Empty>
          ) : (
            <>
              <SummaryTable series={series} />
              {chosen && (
                <section className="panel" aria-labelledby="rebound-unit">
                  <h2 id="rebound-unit">
                    {chosen.name} ({chosen.unitId})
                    {chosen.scope === 'subtree' ? ' with sub-units' : ''}{' '}
                    {chosen.flaggedIn.length > 0 && <span className="badge danger">rebound</span>}
                  </h2>
                  <ReboundChart series={chosen} />
                  <WindowsTable series={chosen} />
                </section>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}

function FlaggedUnits({
  reports,
  flagged,
  subtrees,
}: {
  reports: readonly ReboundReport[];
  flagged: readonly UnitSeries[];
  subtrees: readonly UnitSeries[];
}) {
  if (flagged.length === 0 && subtrees.length === 0) {
    return (
      <div className="notice" role="status">
        <p>No unit&apos;s efficiency gain was eaten by volume in these windows.</p>
      </div>
    );
  }
  return (
    <section className="warning" aria-labelledby="rebound-flagged">
      <h2 id="rebound-flagged">Efficiency gain eaten by volume</h2>
      {flagged.length === 0 && <p>No unit on its own usage; as subtrees:</p>}
      {flagged.length > 0 && (
        <ul>
          {flagged.map((unit) => (
            <li key={unit.unitId}>
              <strong>
                {unit.name} ({unit.unitId})
              </strong>
              :{' '}
              {unit.flaggedIn
                .map((window) => {
                  const report = reports.find((entry) => entry.period === window);
                  const row = report?.rows.find(
                    (entry) => entry.unitId === unit.unitId && entry.scope === 'unit',
                  );
                  return row && report
                    ? reboundReason(row, report.period, report.previousPeriod)
                    : `flagged in ${window}`;
                })
                .join('; ')}
              .
            </li>
          ))}
        </ul>
      )}
      {subtrees.length > 0 && (
        <p>
          Rolled up with their sub-units, also:{' '}
          {subtrees
            .map((unit) => `${unit.name} (${unit.unitId}, in ${unit.flaggedIn.join(', ')})`)
            .join('; ')}
          .
        </p>
      )}
    </section>
  );
}

function seriesKey(unit: UnitSeries): string {
  return unit.scope === 'subtree' ? `${unit.unitId}~subtree` : unit.unitId;
}

function SummaryTable({ series }: { series: readonly UnitSeries[] }) {
  return (
    <section className="panel" aria-labelledby="rebound-units">
      <h2 id="rebound-units">Units</h2>
      <DataTable
        caption="Per unit: the latest window, and the windows in which it was flagged"
        captionHidden
        columns={[
          {
            header: 'Unit',
            rowHeader: true,
            cell: (unit) => (
              <>
                {unit.name} <span className="muted small">({unit.unitId})</span>
                {unit.scope === 'subtree' && <span className="muted small"> with sub-units</span>}
                {unit.flaggedIn.length > 0 && <span className="badge danger">rebound</span>}
              </>
            ),
          },
          {
            header: 'Requests (latest)',
            numeric: true,
            cell: (unit) => last(unit)?.requests.toString() ?? '—',
          },
          {
            header: 'Total energy (latest)',
            numeric: true,
            cell: (unit) => <Amount value={last(unit)?.energyMicroWh} dimension="energy" />,
          },
          {
            header: 'Energy per request (latest)',
            numeric: true,
            cell: (unit) => <PerRequest window={last(unit)} />,
          },
          {
            header: 'Flagged in',
            cell: (unit) => (unit.flaggedIn.length > 0 ? unit.flaggedIn.join(', ') : '—'),
          },
        ]}
        rows={series}
        rowKey={(unit) => `${unit.unitId}|${unit.scope}`}
        rowClassName={(unit) => (unit.flaggedIn.length > 0 ? 'is-flagged' : undefined)}
      />
    </section>
  );
}

function WindowsTable({ series }: { series: UnitSeries }) {
  return (
    <DataTable
      caption={`${series.name}: figures by window`}
      columns={[
        { header: 'Window', rowHeader: true, cell: (window) => window.window },
        { header: 'Requests', numeric: true, cell: (window) => window.requests.toString() },
        {
          header: 'Total energy',
          numeric: true,
          cell: (window) => <Amount value={window.energyMicroWh} dimension="energy" />,
        },
        {
          header: 'Energy per request',
          numeric: true,
          cell: (window) => <PerRequest window={window} />,
        },
        {
          header: 'Per request vs previous',
          numeric: true,
          cell: (window) => percent(window.energyPerRequestChangePercent),
        },
        {
          header: 'Total vs previous',
          numeric: true,
          cell: (window) => percent(window.totalEnergyChangePercent),
        },
        {
          header: 'Rebound',
          cell: (window) => (window.rebound ? <span className="badge danger">yes</span> : 'no'),
        },
      ]}
      rows={series.windows}
      rowKey={(window) => window.window}
      rowClassName={(window) => (window.rebound ? 'is-flagged' : undefined)}
    />
  );
}

function last(unit: UnitSeries): UnitWindow | undefined {
  return unit.windows[unit.windows.length - 1];
}

function PerRequest({ window }: { window: UnitWindow | undefined }) {
  const value = window?.energyPerRequestMicroWh;
  if (!value) return <span className="muted">—</span>;
  // The API's µWh with 6 decimals; the whole µWh are exact enough to show.
  return <Amount value={value.split('.')[0] ?? '0'} dimension="energy" />;
}

function percent(value: string | null): string {
  if (value === null) return '—';
  return `${value.startsWith('-') ? `−${value.slice(1)}` : `+${value}`} %`;
}
