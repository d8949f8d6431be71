import {
  add,
  formatDecimal,
  formatRatio,
  isExactAt,
  multiply,
  parseDecimal,
  ratio,
  roundHalfUp,
} from './exact';

describe('exact arithmetic', () => {
  it('keeps fractions reduced and exact', () => {
    expect(add(ratio(1n, 3n), ratio(1n, 6n))).toEqual({ numerator: 1n, denominator: 2n });
    expect(multiply(ratio(400n), ratio(1_000n, 3_600n))).toEqual({
      numerator: 1_000n,
      denominator: 9n,
    });
    expect(ratio(4n, -6n)).toEqual({ numerator: -2n, denominator: 3n });
  });

  it('rounds half up, once', () => {
    expect(roundHalfUp(ratio(5n, 2n))).toBe(3n); // 2.5 → 3
    expect(roundHalfUp(ratio(49n, 20n))).toBe(2n); // 2.45 → 2 (no double rounding via 2.5)
    expect(roundHalfUp(ratio(1n, 2n))).toBe(1n);
    expect(roundHalfUp(ratio(1n, 3n))).toBe(0n);
    expect(roundHalfUp(ratio(500n, 3n))).toBe(167n); // 166.67
    expect(roundHalfUp(ratio(-5n, 2n))).toBe(-3n); // halves away from zero
  });

  it('formats ratios to at most six decimals for explanations', () => {
    expect(formatRatio(ratio(1_000n, 9n))).toBe('111.111111');
    expect(formatRatio(ratio(25_091_837n, 2n))).toBe('12545918.5');
    expect(formatRatio(ratio(2n, 3_000_000n))).toBe('0.000001');
    expect(formatRatio(ratio(-3n, 2n))).toBe('-1.5');
    expect(isExactAt(ratio(1n, 8n), 6)).toBe(true);
    expect(isExactAt(ratio(1n, 3n), 6)).toBe(false);
  });

  it('parses plain decimals exactly and refuses other spellings', () => {
    expect(parseDecimal('81.3', 12)).toEqual({ units: 813n, scale: 1 });
    expect(parseDecimal('1.20', 6)).toEqual({ units: 12n, scale: 1 });
    expect(parseDecimal('0.000802', 12)).toEqual({ units: 802n, scale: 6 });
    expect(parseDecimal('400', 12)).toEqual({ units: 400n, scale: 0 });
    for (const text of ['', '-1', '+1', '1e3', '01.5', '.5', '1.', ' 1', '1,5', 'NaN']) {
      expect(parseDecimal(text, 12)).toBe('format');
    }
    expect(parseDecimal('1.0000001', 6)).toBe('too-precise');
    expect(parseDecimal('1.0000000', 6)).toEqual({ units: 1n, scale: 0 });
    expect(parseDecimal('1'.repeat(41), 6)).toBe('too-long');
  });

  it('formats decimals as their shortest exact string', () => {
    expect(formatDecimal({ units: 813n, scale: 1 })).toBe('81.3');
    expect(formatDecimal({ units: 802n, scale: 6 })).toBe('0.000802');
    expect(formatDecimal({ units: 1057n, scale: 0 })).toBe('1057');
  });
});
