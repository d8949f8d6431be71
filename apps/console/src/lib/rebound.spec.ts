import type { ReboundReport, ReboundRow } from '../api/types';
import {
  chartPoints,
  daysOfMonth,
  monthOf,
  monthsEndingWith,
  reboundReason,
  unitSeries,
} from './rebound';

const row = (
  unitId: string,
  requests: string,
  energyMicroWh: string,
  perRequest: string | null,
  rebound: boolean,
  changes: [string | null, string | null] = [null, null],
): ReboundRow => ({
  unitId,
  name: unitId.toUpperCase(),
  scope: 'unit',
  current: { requests, energyMicroWh, energyPerRequestMicroWh: perRequest },
  previous: { requests: '0', energyMicroWh: '0', energyPerRequestMicroWh: null },
  energyPerRequestChangePercent: changes[0],
  totalEnergyChangePercent: changes[1],
  rebound,
});

describe('unitSeries', () => {
  const reports: ReboundReport[] = [
    {
      period: '2026-11-28',
      previousPeriod: '2026-11-27',
      rows: [row('search', '18', '23040000', '1280000.000000', false)],
      flagged: [],
    },
    {
      period: '2026-11-29',
      previousPeriod: '2026-11-28',
      rows: [
        row('search', '27', '27648000', '1024000.000000', true, ['-20.00', '20.00']),
        row('care', '0', '0', null, false),
      ],
      flagged: ['search'],
    },
  ];

  it('one series per unit, windows in report order, flagged windows listed', () => {
    const [search, care] = unitSeries(reports);
    expect(search?.windows.map((w) => [w.window, w.requests, w.energyMicroWh, w.rebound])).toEqual([
      ['2026-11-28', 18n, 23040000n, false],
      ['2026-11-29', 27n, 27648000n, true],
    ]);
    expect(search?.flaggedIn).toEqual(['2026-11-29']);
    expect(care?.windows).toHaveLength(1);
    expect(care?.flaggedIn).toEqual([]);
  });

  it('keeps a unit row and a subtree row of the same unit apart', () => {
    const both: ReboundReport = {
      period: '2026-11-29',
      previousPeriod: '2026-11-28',
      rows: [
        row('retail', '2', '20', '10.000000', false),
        { ...row('retail', '5', '50', '10.000000', true), scope: 'subtree' },
      ],
      flagged: [],
    };
    expect(unitSeries([both]).map((series) => [series.scope, series.flaggedIn])).toEqual([
      ['unit', []],
      ['subtree', ['2026-11-29']],
    ]);
  });

  it('chart points in Wh per request and kWh, null without requests', () => {
    const [search, care] = unitSeries(reports);
    expect(search && chartPoints(search)).toEqual([
      { window: '2026-11-28', perRequestWh: 1.28, totalKWh: 0.02304 },
      { window: '2026-11-29', perRequestWh: 1.024, totalKWh: 0.027648 },
    ]);
    expect(care && chartPoints(care)).toEqual([
      { window: '2026-11-29', perRequestWh: null, totalKWh: 0 },
    ]);
  });

  it('says why a unit is flagged', () => {
    const flagged = reports[1]?.rows[0];
    expect(flagged && reboundReason(flagged, '2026-11-29', '2026-11-28')).toBe(
      'energy per request −20.00 % but total energy +20.00 % (2026-11-29 vs 2026-11-28): the efficiency gain was eaten by volume',
    );
  });
});

describe('windows', () => {
  it('days of the current month up to today, of a past month all, of a future month none', () => {
    const today = new Date('2026-11-03T23:59:59Z');
    expect(daysOfMonth('2026-11', today)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(daysOfMonth('2026-02', today)).toHaveLength(28);
    expect(daysOfMonth('2024-02', today)).toHaveLength(29);
    expect(daysOfMonth('2026-12', today)).toEqual([]);
    expect(() => daysOfMonth('2026-1', today)).toThrow('not a month');
  });

  it('months ending with a month, across a year boundary', () => {
    expect(monthsEndingWith('2027-02', 4)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthOf(new Date('2026-01-31T23:00:00Z'))).toBe('2026-01');
  });
});
