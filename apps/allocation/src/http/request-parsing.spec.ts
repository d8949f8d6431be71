import { mapException, PlafondError } from '@plafond/platform';
import { amountOf, describeAsOf, optionalAmountOf, parseAsOf } from './request-parsing';

function rejection(run: () => unknown): PlafondError {
  try {
    run();
  } catch (error) {
    if (error instanceof PlafondError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('asOf', () => {
  it('reads an instant with a zone', () => {
    expect(parseAsOf('2026-03-01T00:00:00Z')).toEqual({ at: new Date('2026-03-01T00:00:00Z') });
    expect(parseAsOf('2026-03-01T01:30:00.250+01:00')).toEqual({
      at: new Date('2026-03-01T00:30:00.250Z'),
    });
    expect(parseAsOf('2024-02-29T23:59Z')).toEqual({ at: new Date('2024-02-29T23:59:00Z') });
  });

  it('reads a ledger position, inclusive, up to the bigint range', () => {
    expect(parseAsOf('position:0')).toEqual({ position: 0n });
    expect(parseAsOf('position:123')).toEqual({ position: 123n });
    expect(parseAsOf('position:9223372036854775807')).toEqual({
      position: 9_223_372_036_854_775_807n,
    });
  });

  it('is absent when not given', () => {
    expect(parseAsOf(undefined)).toBeUndefined();
    expect(describeAsOf(undefined)).toBeNull();
    expect(describeAsOf({ position: 7n })).toBe('position:7');
    expect(describeAsOf({ at: new Date('2026-03-01T00:00:00Z') })).toBe('2026-03-01T00:00:00.000Z');
  });

  it.each([
    '',
    '2026-03-01',
    '2026-03-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T00:60:00Z',
    '1741000000',
    'yesterday',
    'position:',
    'position:-1',
    'position:01',
    'position:1.5',
    'position:9223372036854775808',
    ' position:1',
  ])('refuses %j as REQUEST.INVALID naming the field and the formats', (raw) => {
    const error = rejection(() => parseAsOf(raw));
    expect(mapException(error)).toEqual({
      status: 400,
      body: {
        code: 'REQUEST.INVALID',
        message: 'The request is invalid: asOf.',
        details: {
          fields: [{ field: 'asOf', errors: [expect.stringMatching(/^asOf .*position:/)] }],
        },
      },
    });
  });

  it('refuses a repeated parameter instead of picking one', () => {
    const error = rejection(() => parseAsOf(['position:1', 'position:2']));
    expect(error.details).toEqual({
      fields: [{ field: 'asOf', errors: ['asOf must be given once'] }],
    });
  });
});

describe('amounts', () => {
  it('reads decimal strings and safe-integer numbers exactly', () => {
    expect(amountOf('9223372036854775807', 'ceiling')).toBe(9_223_372_036_854_775_807n);
    expect(amountOf(1500, 'amount')).toBe(1500n);
    expect(amountOf('0', 'amount')).toBe(0n);
    expect(optionalAmountOf(undefined, 'amount')).toBeUndefined();
    expect(optionalAmountOf('12', 'amount')).toBe(12n);
  });

  it.each([
    [-1, 'QUANTITY.NEGATIVE'],
    [1.5, 'QUANTITY.NOT_AN_INTEGER'],
    ['1e6', 'QUANTITY.EXPONENT'],
    ['007', 'QUANTITY.INVALID_FORMAT'],
    [2 ** 53, 'QUANTITY.OUT_OF_RANGE'],
    ['9223372036854775808', 'QUANTITY.OUT_OF_RANGE'],
    [true, 'QUANTITY.INVALID_TYPE'],
  ])('refuses %p with %s, naming the field', (input, code) => {
    const error = rejection(() => amountOf(input, 'amount'));
    expect(mapException(error)).toMatchObject({
      status: 400,
      body: { code, details: { field: 'amount' } },
    });
  });

  it('refuses zero where an amount must be positive', () => {
    expect(rejection(() => amountOf('0', 'amount', { allowZero: false })).code).toBe(
      'QUANTITY.ZERO',
    );
  });
});
