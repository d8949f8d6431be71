import { DEFAULT_INGESTION_SETTINGS, ingestionSettings } from './settings';

const DAY_MS = 86_400_000;

describe('ingestionSettings', () => {
  it('defaults to 30 days of lateness, 5 minutes of skew and a 35-day dedup window', () => {
    expect(ingestionSettings()).toEqual(DEFAULT_INGESTION_SETTINGS);
    expect(DEFAULT_INGESTION_SETTINGS).toMatchObject({
      maxLatenessMs: 30 * DAY_MS,
      maxFutureSkewMs: 5 * 60_000,
      dedupWindowMs: 35 * DAY_MS,
    });
  });

  it('refuses a dedup window shorter than lateness + skew', () => {
    expect(() => ingestionSettings({ maxLatenessMs: 35 * DAY_MS })).toThrow(/dedupWindowMs/);
    expect(
      ingestionSettings({ maxLatenessMs: 35 * DAY_MS, dedupWindowMs: 36 * DAY_MS }),
    ).toMatchObject({
      dedupWindowMs: 36 * DAY_MS,
    });
  });

  it.each([
    ['itemConcurrency', 0],
    ['itemConcurrency', 1.5],
    ['maxFutureSkewMs', 2 * DAY_MS],
    ['rerateMaxEvents', 10_001],
  ])('refuses %s = %s', (name, value) => {
    expect(() => ingestionSettings({ [name]: value })).toThrow(new RegExp(name));
  });
});
