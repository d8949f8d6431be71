// One unit over the windows: total energy (bars, kWh, right axis; red in a flagged window) and
// energy per request (line, Wh, left axis). Numbers here are for drawing only; the table beside
// it carries the exact figures.
import {
  Bar,
  Cell,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { CHART_COLOURS, Chart } from '../../components';
import { chartPoints, type UnitSeries } from '../../lib/rebound';

export function ReboundChart({ series }: { series: UnitSeries }) {
  const points = chartPoints(series);
  const flagged = new Set(series.flaggedIn);
  return (
    <Chart
      label={`${series.name}: total energy and energy per request by window`}
      className="chart-short"
    >
      <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="window" />
        <YAxis yAxisId="perRequest" orientation="left" unit=" Wh" width={80} />
        <YAxis yAxisId="total" orientation="right" unit=" kWh" width={90} />
        <Tooltip />
        <Legend />
        <Bar
          yAxisId="total"
          dataKey="totalKWh"
          name="Total energy (kWh)"
          fill={CHART_COLOURS.bar}
          isAnimationActive={false}
        >
          {points.map((point) => (
            <Cell
              key={point.window}
              fill={flagged.has(point.window) ? CHART_COLOURS.danger : CHART_COLOURS.bar}
            />
          ))}
        </Bar>
        <Line
          yAxisId="perRequest"
          dataKey="perRequestWh"
          name="Energy per request (Wh)"
          stroke={CHART_COLOURS.ink}
          strokeWidth={2}
          connectNulls
          isAnimationActive={false}
        />
      </ComposedChart>
    </Chart>
  );
}
