import type { RefusalPoint } from '../api/types';
import { bucketLabel, sortedCounts, stackRefusals } from './scarcity';

const point = (
  at: string,
  reason: string,
  usefulnessClass: string,
  count: number,
): RefusalPoint => ({ at, reason, usefulnessClass, count, requested: '1' });

describe('stackRefusals', () => {
  const series = [
    point('2026-11-02T00:00:00.000Z', 'QUOTA.EXCEEDED', 'discretionary', 3),
    point('2026-11-01T00:00:00.000Z', 'QUOTA.EXCEEDED', 'essential', 1),
    point('2026-11-02T00:00:00.000Z', 'QUOTA.UNIT_BLOCKED', 'discretionary', 2),
    point('2026-11-02T00:00:00.000Z', 'QUOTA.EXCEEDED', 'essential', 4),
  ];

  it('one row per bucket, oldest first, one zero-filled key per reason', () => {
    expect(stackRefusals(series, 'reason')).toEqual({
      keys: ['QUOTA.EXCEEDED', 'QUOTA.UNIT_BLOCKED'],
      rows: [
        {
          at: '2026-11-01T00:00:00.000Z',
          label: '2026-11-01T00:00:00.000Z',
          'QUOTA.EXCEEDED': 1,
          'QUOTA.UNIT_BLOCKED': 0,
        },
        {
          at: '2026-11-02T00:00:00.000Z',
          label: '2026-11-02T00:00:00.000Z',
          'QUOTA.EXCEEDED': 7,
          'QUOTA.UNIT_BLOCKED': 2,
        },
      ],
    });
  });

  it('by usefulness class, keys by total then name, labels formatted', () => {
    const stacked = stackRefusals(series, 'usefulnessClass', (at) => bucketLabel(at, 'day'));
    expect(stacked.keys).toEqual(['discretionary', 'essential']); // 5 each: by name
    expect(stacked.rows.map((row) => row.label)).toEqual(['1 Nov', '2 Nov']);
    expect(stacked.rows[1]).toMatchObject({ essential: 4, discretionary: 5 });
  });

  it('no refusals: no keys, no rows', () => {
    expect(stackRefusals([], 'reason')).toEqual({ keys: [], rows: [] });
  });
});

describe('labels, counts and colours', () => {
  it('labels an hour bucket with its UTC hour', () => {
    expect(bucketLabel('2026-11-29T07:00:00.000Z', 'hour')).toBe('29 Nov 07:00');
    expect(bucketLabel('not a date', 'day')).toBe('not a date');
  });

  it('sorts counts by size then name', () => {
    expect(sortedCounts({ b: 1, a: 1, c: 5 })).toEqual([
      ['c', 5],
      ['a', 1],
      ['b', 1],
    ]);
  });
});
