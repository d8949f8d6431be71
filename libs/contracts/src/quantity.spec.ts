import fc from 'fast-check';
import { DIMENSIONS, isDimension } from './dimensions';
import {
  QUANTITY_ERROR,
  QUANTITY_MAX,
  QuantityError,
  formatMicro,
  formatQuantity,
  parseDecimalToMicro,
  parseQuantity,
  type QuantityErrorCode,
  type QuantityOptions,
} from './quantity';

type Parser = (input: unknown, options: QuantityOptions) => bigint;

function codeOf(parse: Parser, input: unknown, options: Partial<QuantityOptions> = {}) {
  try {
    parse(input, { field: 'amount', ...options });
  } catch (error) {
    if (error instanceof QuantityError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('parseQuantity', () => {
  it.each([
    [0, 0n],
    [42, 42n],
    [Number.MAX_SAFE_INTEGER, 9_007_199_254_740_991n],
    ['0', 0n],
    ['1234567890', 1_234_567_890n],
    ['9223372036854775807', QUANTITY_MAX],
    [17n, 17n],
  ])('accepts %p as %p', (input, expected) => {
    expect(parseQuantity(input, { field: 'amount' })).toBe(expected);
  });

  const rejected: [unknown, QuantityErrorCode, Partial<QuantityOptions>?][] = [
    [undefined, QUANTITY_ERROR.missing],
    [null, QUANTITY_ERROR.missing],
    [true, QUANTITY_ERROR.invalidType],
    [{}, QUANTITY_ERROR.invalidType],
    [5, QUANTITY_ERROR.notAString, { requireString: true }],
    ['', QUANTITY_ERROR.empty],
    [' 1', QUANTITY_ERROR.whitespace],
    ['1\n', QUANTITY_ERROR.whitespace],
    [Number.NaN, QUANTITY_ERROR.notANumber],
    ['NaN', QUANTITY_ERROR.notANumber],
    [Number.POSITIVE_INFINITY, QUANTITY_ERROR.notFinite],
    [Number.NEGATIVE_INFINITY, QUANTITY_ERROR.notFinite],
    ['Infinity', QUANTITY_ERROR.notFinite],
    [-1, QUANTITY_ERROR.negative],
    [-0, QUANTITY_ERROR.negative],
    ['-0', QUANTITY_ERROR.negative],
    ['-5', QUANTITY_ERROR.negative],
    [-1n, QUANTITY_ERROR.negative],
    ['1e3', QUANTITY_ERROR.exponent],
    ['1.5E+2', QUANTITY_ERROR.exponent],
    ['+1', QUANTITY_ERROR.invalidFormat],
    ['007', QUANTITY_ERROR.invalidFormat],
    ['0x10', QUANTITY_ERROR.invalidFormat],
    ['1_000', QUANTITY_ERROR.invalidFormat],
    ['1.', QUANTITY_ERROR.invalidFormat],
    [1.5, QUANTITY_ERROR.notAnInteger],
    ['1.0', QUANTITY_ERROR.notAnInteger],
    [Number.MAX_SAFE_INTEGER + 1, QUANTITY_ERROR.outOfRange],
    ['9223372036854775808', QUANTITY_ERROR.outOfRange],
    ['1'.repeat(65), QUANTITY_ERROR.outOfRange],
    [QUANTITY_MAX + 1n, QUANTITY_ERROR.outOfRange],
    [0, QUANTITY_ERROR.zero, { allowZero: false }],
    ['0', QUANTITY_ERROR.zero, { allowZero: false }],
  ];
  // Rows become objects: jest would take a third positional parameter for a `done` callback.
  it.each(rejected.map(([input, code, options]) => ({ input, code, options })))(
    'rejects $input with $code',
    ({ input, code, options }) => {
      expect(codeOf(parseQuantity, input, options)).toBe(code);
    },
  );

  it('names the field in the error', () => {
    expect(() => parseQuantity('-1', { field: 'data.inputTokens' })).toThrow(
      'data.inputTokens: must not be negative',
    );
  });
});

describe('parseDecimalToMicro', () => {
  it.each([
    ['0', 0n],
    ['1', 1_000_000n],
    ['1.5', 1_500_000n],
    ['0.000001', 1n],
    ['12.345678', 12_345_678n],
    ['9223372036854.775807', QUANTITY_MAX],
    [0.1, 100_000n],
    [2.5, 2_500_000n],
    [123456789.123456, 123_456_789_123_456n],
    [7, 7_000_000n],
  ])('accepts %p as %p', (input, expected) => {
    expect(parseDecimalToMicro(input, { field: 'energy' })).toBe(expected);
  });

  const rejected: [unknown, QuantityErrorCode, Partial<QuantityOptions>?][] = [
    [undefined, QUANTITY_ERROR.missing],
    [1n, QUANTITY_ERROR.invalidType],
    [1.5, QUANTITY_ERROR.notAString, { requireString: true }],
    ['', QUANTITY_ERROR.empty],
    ['1 .5', QUANTITY_ERROR.whitespace],
    [Number.NaN, QUANTITY_ERROR.notANumber],
    [Number.POSITIVE_INFINITY, QUANTITY_ERROR.notFinite],
    ['-0.5', QUANTITY_ERROR.negative],
    [-0, QUANTITY_ERROR.negative],
    ['2.5e3', QUANTITY_ERROR.exponent],
    ['.5', QUANTITY_ERROR.invalidFormat],
    ['1,5', QUANTITY_ERROR.invalidFormat],
    ['1.0000001', QUANTITY_ERROR.tooPrecise],
    ['1.0000000', QUANTITY_ERROR.tooPrecise],
    [1e-7, QUANTITY_ERROR.tooPrecise],
    [0.1 + 0.2, QUANTITY_ERROR.impreciseNumber],
    [Number.MAX_SAFE_INTEGER + 2, QUANTITY_ERROR.outOfRange],
    ['9223372036854.775808', QUANTITY_ERROR.outOfRange],
    ['0.0', QUANTITY_ERROR.zero, { allowZero: false }],
  ];
  it.each(rejected.map(([input, code, options]) => ({ input, code, options })))(
    'rejects $input with $code',
    ({ input, code, options }) => {
      expect(codeOf(parseDecimalToMicro, input, options)).toBe(code);
    },
  );
});

describe('every quantity error code is produced by some input', () => {
  it('has no code that no input can reach', () => {
    const reached = new Set<string>();
    const probes: [Parser, unknown, Partial<QuantityOptions>][] = [
      [parseQuantity, undefined, {}],
      [parseQuantity, true, {}],
      [parseQuantity, 1, { requireString: true }],
      [parseQuantity, '', {}],
      [parseQuantity, ' ', {}],
      [parseQuantity, Number.NaN, {}],
      [parseQuantity, Number.POSITIVE_INFINITY, {}],
      [parseQuantity, -1, {}],
      [parseQuantity, '1e2', {}],
      [parseQuantity, '01', {}],
      [parseQuantity, 0.5, {}],
      [parseDecimalToMicro, '0.0000001', {}],
      [parseDecimalToMicro, 0.30000000000000004, {}],
      [parseQuantity, '99999999999999999999', {}],
      [parseQuantity, 0, { allowZero: false }],
    ];
    for (const [parse, input, options] of probes) reached.add(codeOf(parse, input, options));
    expect([...reached].sort()).toEqual(Object.values(QUANTITY_ERROR).sort());
  });
});

describe('formatting', () => {
  it.each([
    [0n, '0'],
    [1n, '0.000001'],
    [1_500_000n, '1.5'],
    [2_000_000n, '2'],
    [-1_250_000n, '-1.25'],
    [QUANTITY_MAX, '9223372036854.775807'],
  ])('formatMicro(%p) is %p', (micro, text) => {
    expect(formatMicro(micro)).toBe(text);
  });

  const quantities = fc.bigInt({ min: 0n, max: QUANTITY_MAX });

  it('parseDecimalToMicro inverts formatMicro over the whole range', () => {
    fc.assert(
      fc.property(quantities, (micro) => {
        expect(parseDecimalToMicro(formatMicro(micro), { field: 'x' })).toBe(micro);
      }),
    );
  });

  it('parseQuantity inverts formatQuantity over the whole range', () => {
    fc.assert(
      fc.property(quantities, (quantity) => {
        expect(parseQuantity(formatQuantity(quantity), { field: 'x' })).toBe(quantity);
      }),
    );
  });

  it('safe integers parse the same as numbers and as strings', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (count) => {
        expect(parseQuantity(count, { field: 'x' })).toBe(
          parseQuantity(String(count), { field: 'x' }),
        );
      }),
    );
  });
});

describe('dimensions', () => {
  it('counts energy and carbon in micro-units and compute in GPU-milliseconds', () => {
    expect(DIMENSIONS.energy).toEqual({ unit: 'µWh', displayUnit: 'Wh', scale: 1_000_000n });
    expect(DIMENSIONS.carbon.unit).toBe('µgCO2e');
    expect(DIMENSIONS.compute.unit).toBe('gpu_ms');
    expect(isDimension('tokens')).toBe(true);
    expect(isDimension('money')).toBe(false);
  });
});
