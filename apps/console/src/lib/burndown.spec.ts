import type { BurnDown } from '../api/types';
import { burnDownChart, burnDownSummary } from './burndown';

const day = (n: number) => new Date(Date.UTC(2026, 10, n)).toISOString();

const sample: BurnDown = {
  budgetId: 'b',
  dimension: 'energy',
  unitId: 'org',
  period: { startsAt: day(1), endsAt: day(31), timeZone: 'UTC' },
  asOf: '2026-11-03T12:00:00.000Z',
  bucket: 'day',
  ceiling: '1000',
  allocated: '950',
  points: [
    { at: day(2), committed: '10' },
    { at: day(3), committed: '30' },
    { at: '2026-11-03T12:00:00.000Z', committed: '40' },
  ],
  units: [
    { unitId: 'a', allocated: '600', committed: ['10', '20', '25'] },
    { unitId: 'b', allocated: '350', committed: ['0', '10', '15'] },
  ],
  projection: {
    committed: '40',
    ratePerDay: '16',
    projectedAtEnd: '1200',
    exhaustsAt: '2026-11-30T00:00:00.000Z',
  },
};

describe('burnDownChart', () => {
  it('starts at zero, follows the points and aligns the children', () => {
    const chart = burnDownChart(sample);
    expect(chart.rows[0]).toEqual({
      t: Date.parse(day(1)),
      committed: 0,
      'unit:a': 0,
      'unit:b': 0,
    });
    expect(chart.rows[2]).toEqual({
      t: Date.parse(day(3)),
      committed: 30,
      'unit:a': 20,
      'unit:b': 10,
    });
    expect(chart.units.map((unit) => unit.key)).toEqual(['unit:a', 'unit:b']);
  });

  it('draws the projection from asOf to period end', () => {
    const chart = burnDownChart(sample);
    const withProjection = chart.rows.filter((row) => row.projection !== undefined);
    expect(withProjection).toEqual([
      expect.objectContaining({ t: Date.parse(sample.asOf), committed: 40, projection: 40 }),
      { t: Date.parse(day(31)), projection: 1200 },
    ]);
    expect(chart.yMax).toBe(1200);
  });

  it('adds an asOf row when the last point is not asOf, and no end row after the period', () => {
    const ended: BurnDown = {
      ...sample,
      asOf: day(31),
      points: [{ at: day(2), committed: '5' }],
      units: [],
      projection: { ...sample.projection, committed: '5', projectedAtEnd: '5' },
    };
    const chart = burnDownChart(ended);
    expect(chart.rows.at(-1)).toEqual({ t: Date.parse(day(31)), committed: 5, projection: 5 });
    expect(chart.rows).toHaveLength(3);
    expect(chart.yMax).toBe(1000);
  });
});

describe('burnDownSummary', () => {
  it('compares the projection with the allocation exactly', () => {
    const summary = burnDownSummary({
      ...sample,
      allocated: '9007199254740993',
      projection: { ...sample.projection, projectedAtEnd: '9007199254740995' },
    });
    expect(summary.projectedOver).toBe(2n);
    expect(summary.exhaustsAt).toBe('2026-11-30T00:00:00.000Z');
  });
});
