import { BillingError } from './errors';
import {
  comparePeriods,
  nextOpenPeriod,
  nextPeriod,
  parsePeriodKey,
  periodBounds,
  periodHasEnded,
  periodOf,
  previousPeriod,
} from './periods';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (error) {
    return error instanceof BillingError ? error.code : 'other';
  }
};

describe('periods', () => {
  it('takes the UTC month of an instant', () => {
    expect(periodOf('2026-11-30T23:59:59.999Z')).toBe('2026-11');
    expect(periodOf('2026-12-01T00:00:00.000Z')).toBe('2026-12');
    expect(periodOf('2026-12-01T00:30:00+01:00')).toBe('2026-11');
    expect(periodOf(new Date(Date.UTC(2027, 0, 1)))).toBe('2027-01');
    expect(code(() => periodOf('nope'))).toBe('BILLING.INVALID_PERIOD');
  });
  it('parses period keys with years 2000–2999', () => {
    expect(parsePeriodKey('2026-11')).toBe('2026-11');
    expect(parsePeriodKey('2000-01')).toBe('2000-01');
    expect(parsePeriodKey('2999-12')).toBe('2999-12');
    for (const bad of [
      '1999-12',
      '3000-01',
      '2026-13',
      '2026-00',
      '2026-1',
      '26-11',
      '2026/11',
      202611,
      null,
    ]) {
      expect(code(() => parsePeriodKey(bad))).toBe('BILLING.INVALID_PERIOD');
    }
  });
  it('gives half-open month bounds', () => {
    expect(periodBounds('2026-02')).toEqual({
      startsAt: new Date('2026-02-01T00:00:00Z'),
      endsAt: new Date('2026-03-01T00:00:00Z'),
    });
    expect(periodBounds('2026-12').endsAt).toEqual(new Date('2027-01-01T00:00:00Z'));
  });
  it('steps over year boundaries', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(nextPeriod('2026-01')).toBe('2026-02');
    expect(previousPeriod('2027-01')).toBe('2026-12');
    expect(previousPeriod('2026-10')).toBe('2026-09');
  });
  it('says a period has ended at the first instant of the next month', () => {
    expect(periodHasEnded('2026-11', new Date('2026-11-30T23:59:59.999Z'))).toBe(false);
    expect(periodHasEnded('2026-11', new Date('2026-12-01T00:00:00Z'))).toBe(true);
  });
  it('finds the billing period: the period itself if open, else the next open one', () => {
    const closed = new Set(['2026-10', '2026-11', '2027-01']);
    const isClosed = (k: string): boolean => closed.has(k);
    expect(nextOpenPeriod('2026-09', isClosed)).toBe('2026-09');
    expect(nextOpenPeriod('2026-10', isClosed)).toBe('2026-12');
    expect(nextOpenPeriod('2027-01', isClosed)).toBe('2027-02');
  });
  it('orders keys chronologically', () => {
    expect(comparePeriods('2026-09', '2026-10')).toBe(-1);
    expect(comparePeriods('2027-01', '2026-12')).toBe(1);
    expect(comparePeriods('2026-01', '2026-01')).toBe(0);
  });
});
