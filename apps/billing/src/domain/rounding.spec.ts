import { formatRational, formatScaled, roundHalfAwayFromZero } from './rounding';

describe('roundHalfAwayFromZero', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [3n, 2n, 2n],
    [-3n, 2n, -2n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [-8n, 3n, -3n],
    [1n, 3n, 0n],
    [-1n, 3n, 0n],
    [-1n, 2n, -1n],
    [0n, 7n, 0n],
    [10n, 1n, 10n],
  ])('%p / %p → %p', (n, d, expected) => {
    expect(roundHalfAwayFromZero(n, d)).toBe(expected);
  });
  it('refuses a non-positive denominator', () => {
    expect(() => roundHalfAwayFromZero(1n, 0n)).toThrow(RangeError);
    expect(() => roundHalfAwayFromZero(1n, -1n)).toThrow(RangeError);
  });
});

describe('formatRational / formatScaled', () => {
  it('formats with a fixed number of decimals', () => {
    expect(formatRational(-1n, 8n, 2)).toBe('-0.13'); // -0.125
    expect(formatRational(1n, 8n, 2)).toBe('0.13');
    expect(formatRational(-1n, 1000n, 2)).toBe('0.00');
    expect(formatRational(200n, 3n, 6)).toBe('66.666667');
    expect(formatScaled(5n, 0)).toBe('5');
    expect(formatScaled(-5n, 3)).toBe('-0.005');
  });
});
