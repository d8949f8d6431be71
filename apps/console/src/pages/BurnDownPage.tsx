import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, enc, query } from '../api/client';
import type { Budget, BurnDown, UnitNode } from '../api/types';
import {
  AsyncStatus,
  Amount,
  BudgetPicker,
  CHART_COLOURS,
  Chart,
  DataTable,
  Empty,
  PageHeader,
  UnitPicker,
  colourAt,
} from '../components';
import { useAsync } from '../hooks/useAsync';
import { useHashParam } from '../hooks/useHashRoute';
import { burnDownChart, burnDownSummary } from '../lib/burndown';
import {
  formatAmount,
  formatChartValue,
  formatDate,
  formatDateTime,
  formatDelta,
  formatShare,
  toChartNumber,
} from '../lib/format';
import { useSession } from '../session';

const DAY_MS = 86_400_000;

export function BurnDownPage() {
  const session = useSession();
  const [budget, setBudget] = useState<Budget | undefined>();
  const [unitId, setUnitId] = useHashParam('unit');
  const rootId = session.scopeUnitId('allocation') ?? budget?.perimeterUnitId;

  const tree = useAsync(rootId ? `tree|${rootId}` : null, (signal) =>
    api<UnitNode>('allocation', `/v1/units/${enc(rootId ?? '')}`, { signal }),
  );
  const data = useAsync(budget ? `${budget.budgetId}|${unitId ?? ''}` : null, (signal) =>
    api<BurnDown>(
      'allocation',
      `/v1/budgets/${enc(budget?.budgetId ?? '')}/burn-down${query({ unitId })}`,
      { signal },
    ),
  );

  return (
    <>
      <PageHeader
        title="Budget burn-down"
        description="Consumption over the period against the ceiling and each unit's allocation, with a projection to period end at the current rate."
      />
      <div className="toolbar">
        <BudgetPicker onBudget={setBudget} />
        {tree.data && (
          <UnitPicker
            tree={tree.data}
            value={unitId ?? data.data?.unitId}
            onChange={setUnitId}
            label="Unit (drill down)"
          />
        )}
        {data.status !== 'idle' && (
          <button type="button" className="secondary" onClick={data.reload}>
            Refresh
          </button>
        )}
      </div>
      <AsyncStatus state={tree} errorTitle="Units could not be read" loadingLabel="Loading units" />
      <AsyncStatus
        state={data}
        errorTitle="The burn-down could not be read"
        loadingLabel="Loading the burn-down"
      />
      {data.data && budget && data.data.budgetId === budget.budgetId && (
        <BurnDownView data={data.data} budget={budget} onDrill={(id) => setUnitId(id)} />
      )}
    </>
  );
}

function BurnDownView({
  data,
  budget,
  onDrill,
}: {
  data: BurnDown;
  budget: Budget;
  onDrill: (unitId: string) => void;
}) {
  const chart = useMemo(() => burnDownChart(data), [data]);
  const summary = burnDownSummary(data);
  const dim = data.dimension;
  const atPerimeter = data.unitId === budget.perimeterUnitId;
  const fmt = (value: number) => formatChartValue(value, dim);
  const ticks = useMemo(() => {
    const result: number[] = [];
    const days = Math.round((chart.endsAt - chart.startsAt) / DAY_MS);
    const step = days > 20 ? 7 : days > 7 ? 2 : 1;
    for (let t = chart.startsAt; t <= chart.endsAt; t += step * DAY_MS) result.push(t);
    return result;
  }, [chart.startsAt, chart.endsAt]);

  const over = summary.projectedOver > 0n;
  const chartSummary =
    `${data.unitId}: ${formatAmount(summary.consumed, dim)} consumed of ${formatAmount(summary.allocated, dim)} allocated ` +
    `(${formatShare(summary.consumed, summary.allocated)}) by ${formatDateTime(data.asOf)}; at ` +
    `${formatAmount(data.projection.ratePerDay, dim)} a day the projection reaches ` +
    `${formatAmount(summary.projectedAtEnd, dim)} at period end` +
    (summary.exhaustsAt
      ? `, exhausting the allocation on ${formatDate(summary.exhaustsAt)}.`
      : '.');

  return (
    <>
      <dl className="figures" aria-label="Burn-down figures">
        {atPerimeter && (
          <div>
            <dt>Ceiling</dt>
            <dd>
              <Amount value={data.ceiling} dimension={dim} />
            </dd>
          </div>
        )}
        <div>
          <dt>Allocated to {data.unitId}</dt>
          <dd>
            <Amount value={data.allocated} dimension={dim} />
          </dd>
        </div>
        <div>
          <dt>Consumed so far</dt>
          <dd>
            <Amount value={data.projection.committed} dimension={dim} />{' '}
            <span className="muted small">{formatShare(summary.consumed, summary.allocated)}</span>
          </dd>
        </div>
        <div>
          <dt>Current rate per day</dt>
          <dd>
            <Amount value={data.projection.ratePerDay} dimension={dim} />
          </dd>
        </div>
        <div>
          <dt>Projected at period end</dt>
          <dd>
            <Amount value={data.projection.projectedAtEnd} dimension={dim} />
            <br />
            <span className={over ? 'badge danger' : 'badge ok'}>
              {formatDelta(summary.projectedOver, dim)} vs allocation
            </span>
          </dd>
        </div>
        <div>
          <dt>Allocation exhausted on</dt>
          <dd>
            {summary.exhaustsAt ? formatDateTime(summary.exhaustsAt) : 'not before period end'}
          </dd>
        </div>
      </dl>

      <figure className="panel" style={{ margin: '0 0 1rem' }}>
        <figcaption>
          <strong>
            Cumulative consumption, {formatDate(data.period.startsAt)} to{' '}
            {formatDate(data.period.endsAt)}
          </strong>
          <p className="muted small" id="burn-down-summary">
            {chartSummary}
          </p>
        </figcaption>
        {data.points.length === 0 ? (
          <Empty>No day of the period has passed yet.</Empty>
        ) : (
          <Chart label="Burn-down chart" describedBy="burn-down-summary">
            <LineChart data={chart.rows} margin={{ top: 24, right: 24, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[chart.startsAt, chart.endsAt]}
                ticks={ticks}
                tickFormatter={(t: number) => new Date(t).toISOString().slice(5, 10)}
              />
              <YAxis
                domain={[0, Math.max(chart.yMax * 1.05, 1)]}
                tickFormatter={fmt}
                width={90}
                allowDataOverflow={false}
              />
              <Tooltip
                labelFormatter={(t) => formatDateTime(new Date(Number(t)).toISOString())}
                formatter={(value) => fmt(Number(value))}
              />
              <Legend />
              {atPerimeter && (
                <ReferenceLine
                  y={toChartNumber(data.ceiling)}
                  stroke={CHART_COLOURS.danger}
                  strokeWidth={2}
                  label={{
                    value: 'ceiling',
                    position: 'insideTopLeft',
                    fill: CHART_COLOURS.danger,
                  }}
                />
              )}
              <ReferenceLine
                y={toChartNumber(data.allocated)}
                stroke={CHART_COLOURS.ink}
                strokeDasharray="2 2"
                label={{ value: `allocated to ${data.unitId}`, position: 'insideBottomLeft' }}
              />
              <ReferenceLine
                x={chart.asOf}
                stroke={CHART_COLOURS.muted}
                label={{ value: 'now', position: 'top' }}
              />
              {chart.units.map((unit, index) => (
                <ReferenceLine
                  key={`alloc-${unit.unitId}`}
                  y={toChartNumber(unit.allocated)}
                  stroke={colourAt(index)}
                  strokeDasharray="6 3"
                  strokeOpacity={0.7}
                />
              ))}
              <Line
                type="linear"
                dataKey="committed"
                name={`${data.unitId} consumed`}
                stroke={CHART_COLOURS.ink}
                strokeWidth={3}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
              <Line
                type="linear"
                dataKey="projection"
                name="projection"
                stroke={CHART_COLOURS.ink}
                strokeDasharray="8 5"
                strokeWidth={2}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
              {chart.units.map((unit, index) => (
                <Line
                  key={unit.key}
                  type="linear"
                  dataKey={unit.key}
                  name={unit.unitId}
                  stroke={colourAt(index)}
                  strokeWidth={1.5}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </Chart>
        )}
        <p className="muted small">
          Solid: consumption so far; dashed dark: projection at the average rate since the period
          start; dashed coloured: each unit's allocation (same colour as its curve).
        </p>
      </figure>

      <section className="panel" aria-labelledby="burn-units-title">
        <h2 id="burn-units-title" style={{ marginTop: 0 }}>
          Units below {data.unitId}
        </h2>
        {data.units.length === 0 ? (
          <Empty>{data.unitId} has no units below it.</Empty>
        ) : (
          <DataTable
            caption={`Consumption of each unit below ${data.unitId}`}
            captionHidden
            columns={[
              {
                header: 'Unit',
                rowHeader: true,
                cell: ({ unit, index }) => (
                  <>
                    <span aria-hidden="true" style={{ color: colourAt(index) }}>
                      ■{' '}
                    </span>
                    {unit.unitId}
                  </>
                ),
              },
              {
                header: 'Allocated',
                numeric: true,
                cell: ({ unit }) => <Amount value={unit.allocated} dimension={dim} />,
              },
              {
                header: 'Consumed',
                numeric: true,
                cell: ({ consumed }) => <Amount value={consumed} dimension={dim} />,
              },
              {
                header: 'Share used',
                numeric: true,
                cell: ({ unit, consumed }) => formatShare(consumed, unit.allocated),
              },
              {
                header: 'Drill down',
                cell: ({ unit }) => (
                  <button type="button" className="link" onClick={() => onDrill(unit.unitId)}>
                    Show {unit.unitId}
                  </button>
                ),
              },
            ]}
            rows={data.units.map((unit, index) => ({
              unit,
              index,
              consumed: unit.committed[unit.committed.length - 1] ?? '0',
            }))}
            rowKey={({ unit }) => unit.unitId}
          />
        )}
      </section>

      <details className="panel">
        <summary>Daily figures as a table</summary>
        <DataTable
          caption="Cumulative consumption per day"
          captionHidden
          columns={[
            {
              header: 'Until',
              rowHeader: true,
              cell: ({ point }) => formatDateTime(point.at),
            },
            {
              header: data.unitId,
              numeric: true,
              cell: ({ point }) => <Amount value={point.committed} dimension={dim} />,
            },
            ...data.units.map((unit) => ({
              header: unit.unitId,
              numeric: true,
              cell: ({ index }: { index: number }) => (
                <Amount value={unit.committed[index]} dimension={dim} />
              ),
            })),
          ]}
          rows={data.points.map((point, index) => ({ point, index }))}
          rowKey={({ point }) => point.at}
        />
      </details>
    </>
  );
}
