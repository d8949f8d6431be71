import { resolvePeriod, startOfLocalDay } from './period';
import { caught } from '../testing/fixtures';

describe('resolvePeriod', () => {
  it('is a calendar month in UTC by default', () => {
    expect(resolvePeriod({ kind: 'month', month: '2026-03' })).toEqual({
      kind: 'month',
      key: '2026-03',
      timeZone: 'UTC',
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
    });
  });

  it('follows the time zone across a daylight-saving change inside the month', () => {
    // Paris is UTC+1 on 1 March and UTC+2 from 29 March 2026.
    expect(resolvePeriod({ kind: 'month', month: '2026-03' }, 'Europe/Paris')).toMatchObject({
      startsAt: '2026-02-28T23:00:00.000Z',
      endsAt: '2026-03-31T22:00:00.000Z',
    });
    expect(resolvePeriod({ kind: 'month', month: '2026-11' }, 'America/New_York')).toMatchObject({
      startsAt: '2026-11-01T04:00:00.000Z',
      endsAt: '2026-12-01T05:00:00.000Z',
    });
  });

  it('rolls December over into the next year, east of Greenwich too', () => {
    expect(resolvePeriod({ kind: 'month', month: '2026-12' }, 'Asia/Kolkata')).toMatchObject({
      startsAt: '2026-11-30T18:30:00.000Z',
      endsAt: '2026-12-31T18:30:00.000Z',
    });
  });

  it('starts a day whose midnight is skipped at the transition', () => {
    // Santiago moved from UTC-4 to UTC-3 at 00:00 on 8 September 2024: the day began at 01:00.
    expect(new Date(startOfLocalDay('2024-09-08', 'America/Santiago')).toISOString()).toBe(
      '2024-09-08T04:00:00.000Z',
    );
  });

  it('takes the first of two midnights when clocks go back at midnight', () => {
    // Santiago moved from UTC-3 to UTC-4 at 00:00 on 6 April 2024 (midnight happened twice).
    expect(new Date(startOfLocalDay('2024-04-06', 'America/Santiago')).toISOString()).toBe(
      '2024-04-06T03:00:00.000Z',
    );
  });

  it('accepts a date range with an exclusive end', () => {
    expect(
      resolvePeriod({ kind: 'range', startsOn: '2026-01-01', endsOn: '2026-04-01' }),
    ).toMatchObject({
      key: '2026-01-01..2026-04-01',
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
    });
  });

  it('refuses unknown time zones and malformed periods', () => {
    expect(
      caught(() => resolvePeriod({ kind: 'month', month: '2026-03' }, 'Mars/Olympus')).code,
    ).toBe('BUDGET.TIME_ZONE_INVALID');
    expect(caught(() => resolvePeriod({ kind: 'month', month: '2026-13' })).code).toBe(
      'BUDGET.PERIOD_INVALID',
    );
    expect(caught(() => resolvePeriod({ kind: 'month', month: '26-03' })).code).toBe(
      'BUDGET.PERIOD_INVALID',
    );
    expect(
      caught(() => resolvePeriod({ kind: 'range', startsOn: '2026-04-01', endsOn: '2026-04-01' }))
        .code,
    ).toBe('BUDGET.PERIOD_INVALID');
    expect(
      caught(() => resolvePeriod({ kind: 'range', startsOn: '2026-02-30', endsOn: '2026-04-01' }))
        .code,
    ).toBe('COMMAND.INVALID');
    expect(caught(() => resolvePeriod({ kind: 'week' } as never)).code).toBe(
      'BUDGET.PERIOD_INVALID',
    );
  });
});
