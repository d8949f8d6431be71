// A stacked bar chart of counts over time, one colour per key in the order of `data.keys` (the
// same key order, so the same colour, on every chart of a page). The figures are also in a table
// next to it.
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { StackedRows } from '../lib/scarcity';
import { Chart } from './Chart';
import { colourAt } from './palette';

export function StackedBars({ data, label }: { data: StackedRows; label: string }) {
  return (
    <Chart label={label} className="chart-short">
      <BarChart data={data.rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        {data.keys.map((key, index) => (
          <Bar
            key={key}
            dataKey={key}
            name={key}
            stackId="stack"
            fill={colourAt(index)}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </Chart>
  );
}
