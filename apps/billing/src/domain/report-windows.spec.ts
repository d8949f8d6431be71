import { BillingError } from './errors';
import { parseReportWindow, previousWindow, type ReportWindow } from './report-windows';

const refusal = (input: unknown): { code: string; details: unknown } | undefined => {
  try {
    parseReportWindow(input);
    return undefined;
  } catch (error) {
    if (error instanceof BillingError) return { code: error.code, details: error.details };
    throw error;
  }
};

const span = (window: ReportWindow) => ({
  key: window.key,
  granularity: window.granularity,
  startsAt: window.startsAt.toISOString(),
  endsAt: window.endsAt.toISOString(),
});

describe('report windows', () => {
  it('reads a month as the billing period, compared with the month before', () => {
    const window = parseReportWindow('2026-01');
    expect(span(window)).toEqual({
      key: '2026-01',
      granularity: 'month',
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: '2026-02-01T00:00:00.000Z',
    });
    expect(span(previousWindow(window))).toEqual({
      key: '2025-12',
      granularity: 'month',
      startsAt: '2025-12-01T00:00:00.000Z',
      endsAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('reads a UTC day, hour and minute, each compared with the window of the same length before', () => {
    const day = parseReportWindow('2026-03-01');
    expect(span(day)).toEqual({
      key: '2026-03-01',
      granularity: 'day',
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-03-02T00:00:00.000Z',
    });
    // across a month end (2026 is not a leap year)
    expect(previousWindow(day).key).toBe('2026-02-28');

    const hour = parseReportWindow('2026-11-29T00');
    expect(span(hour)).toEqual({
      key: '2026-11-29T00',
      granularity: 'hour',
      startsAt: '2026-11-29T00:00:00.000Z',
      endsAt: '2026-11-29T01:00:00.000Z',
    });
    expect(span(previousWindow(hour))).toEqual({
      key: '2026-11-28T23',
      granularity: 'hour',
      startsAt: '2026-11-28T23:00:00.000Z',
      endsAt: '2026-11-29T00:00:00.000Z',
    });

    const minute = parseReportWindow('2027-01-01T00:00');
    expect(span(minute)).toEqual({
      key: '2027-01-01T00:00',
      granularity: 'minute',
      startsAt: '2027-01-01T00:00:00.000Z',
      endsAt: '2027-01-01T00:01:00.000Z',
    });
    expect(previousWindow(minute).key).toBe('2026-12-31T23:59');
    expect(previousWindow(parseReportWindow('2028-03-01')).key).toBe('2028-02-29');
  });

  it('refuses anything else with BILLING.INVALID_PERIOD, naming the value', () => {
    for (const bad of [
      '2026-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-11-00',
      '2026-11-29T24',
      '2026-11-29T10:60',
      '2026-11-29T10:05:00',
      '2026-11-29T1',
      '2026-11-29 10',
      '2026-11-29T10Z',
      '1999-12-31',
      '3000-01-01T00',
      '2026-13',
      '',
      'november',
    ]) {
      expect({ bad, refusal: refusal(bad) }).toEqual({
        bad,
        refusal: { code: 'BILLING.INVALID_PERIOD', details: { period: bad } },
      });
    }
    expect(refusal(202611)?.code).toBe('BILLING.INVALID_PERIOD');
  });
});
