import {
  DecimalFormatError,
  formatMicro,
  formatPpmAsDecimal,
  formatPpmAsPercent,
  parseDecimal,
  parseIntegerString,
  parseMoneyToMicro,
  parseMultiplierToPpm,
  parsePercentToPpm,
} from './money';

describe('money', () => {
  it('parses decimal strings exactly', () => {
    expect(parseMoneyToMicro('85.5', 'p')).toBe(85_500_000n);
    expect(parseMoneyToMicro('85', 'p')).toBe(85_000_000n);
    expect(parseMoneyToMicro('0.000001', 'p')).toBe(1n);
    expect(parseMoneyToMicro('1000000000', 'p')).toBe(1_000_000_000_000_000n);
    expect(parseMultiplierToPpm('1.25', 'm')).toBe(1_250_000n);
    expect(parseMultiplierToPpm('0', 'm')).toBe(0n);
    expect(parsePercentToPpm('12.5', 's')).toBe(125_000n);
    expect(parsePercentToPpm('0.0001', 's')).toBe(1n);
    expect(parseDecimal('1.5', 'x', { maxFractionDigits: 2 })).toBe(150n);
  });
  it.each([
    [85.5],
    [85],
    [null],
    [''],
    [' 1'],
    ['1 '],
    ['+1'],
    ['-1'],
    ['1e3'],
    ['01'],
    ['1.'],
    ['.5'],
    ['1,5'],
    ['0x10'],
    ['1.0000001'],
    ['9'.repeat(41)],
  ])('refuses %p as invalid', (input) => {
    expect(() => parseMoneyToMicro(input, 'price')).toThrow(DecimalFormatError);
    try {
      parseMoneyToMicro(input, 'price');
    } catch (error) {
      expect((error as DecimalFormatError).problem).toBe('invalid');
      expect((error as DecimalFormatError).field).toBe('price');
    }
  });
  it('refuses out-of-range values', () => {
    const problem = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (error) {
        return (error as DecimalFormatError).problem;
      }
    };
    expect(problem(() => parseMoneyToMicro('1000000000.000001', 'p'))).toBe('out_of_range');
    expect(problem(() => parseMultiplierToPpm('100.000001', 'm'))).toBe('out_of_range');
    expect(problem(() => parseMultiplierToPpm('100', 'm'))).toBeUndefined();
    expect(problem(() => parsePercentToPpm('1000.0001', 's'))).toBe('out_of_range');
    expect(problem(() => parsePercentToPpm('12.34567', 's'))).toBe('invalid');
  });
  it('formats with fixed decimals', () => {
    expect(formatMicro(-1_000_001n)).toBe('-1.000001');
    expect(formatMicro(0n)).toBe('0.000000');
    expect(formatMicro(85_500_000n)).toBe('85.500000');
    expect(formatMicro(-5n)).toBe('-0.000005');
    expect(formatPpmAsDecimal(1_250_000n)).toBe('1.250000');
    expect(formatPpmAsPercent(125_000n)).toBe('12.5000');
  });
  it('parses integer strings from events strictly', () => {
    expect(parseIntegerString('-12', 'x')).toBe(-12n);
    expect(parseIntegerString('0', 'x')).toBe(0n);
    expect(() => parseIntegerString('-0', 'x')).toThrow(DecimalFormatError);
    expect(() => parseIntegerString('1.0', 'x')).toThrow(DecimalFormatError);
    expect(() => parseIntegerString('007', 'x')).toThrow(DecimalFormatError);
  });
});
