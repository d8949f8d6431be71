import {
  decimalToMicro,
  divideExact,
  formatAmount,
  formatDelta,
  formatExact,
  formatShare,
  groupDigits,
  microToDecimal,
  sumAmounts,
  toBig,
} from './format';

const plain = (text: string) => text.replace(/\u202f/g, ' ');

describe('micro-unit formatting', () => {
  it('parses integer strings only', () => {
    expect(toBig('123')).toBe(123n);
    expect(toBig('-5')).toBe(-5n);
    expect(() => toBig('1.5')).toThrow('not an integer amount');
    expect(() => toBig('1e3')).toThrow();
    expect(() => toBig(0.5)).toThrow();
  });

  it('sums exactly beyond Number precision', () => {
    expect(sumAmounts(['9007199254740993', '1', '-2']).toString()).toBe('9007199254740992');
  });

  it('groups digits', () => {
    expect(plain(groupDigits('1234567'))).toBe('1 234 567');
    expect(plain(groupDigits('-1000'))).toBe('-1 000');
    expect(groupDigits('999')).toBe('999');
  });

  it('divides exactly with half-up rounding', () => {
    expect(divideExact(1_234_500n, 1_000_000n, 3)).toBe('1.235');
    expect(divideExact(1_234_499n, 1_000_000n, 3)).toBe('1.234');
    expect(divideExact(2_000_000n, 1_000_000n, 3)).toBe('2');
    expect(divideExact(-1_500_000n, 1_000_000n, 0)).toBe('-2');
    expect(plain(divideExact(123_456_789_000_000_000_000n, 1_000_000_000n, 3))).toBe(
      '123 456 789 000',
    );
  });

  it('picks the largest unit the amount reaches', () => {
    expect(formatAmount('500000000000000', 'energy')).toBe('500 MWh');
    expect(formatAmount('500000000000', 'energy')).toBe('500 kWh');
    expect(formatAmount('1234567', 'energy')).toBe('1.235 Wh');
    expect(formatAmount('950', 'energy')).toBe('950 µWh');
    expect(formatAmount('7200000', 'compute')).toBe('2 GPU h');
    expect(plain(formatAmount('12345', 'tokens'))).toBe('12 345 tokens');
    expect(plain(formatAmount('12345'))).toBe('12 345');
    expect(formatAmount('-1500000000', 'energy')).toBe('-1.5 kWh');
  });

  it('shows the exact base-unit figure', () => {
    expect(plain(formatExact('1234567', 'energy'))).toBe('1 234 567 µWh');
    expect(plain(formatExact('1234567', 'carbon'))).toBe('1 234 567 µgCO2e');
  });

  it('formats shares and deltas', () => {
    expect(formatShare('1', '8')).toBe('12.5 %');
    expect(formatShare('1', '0')).toBe('—');
    expect(formatDelta(1_500_000_000n, 'energy')).toBe('+1.5 kWh');
    expect(formatDelta(-2_000_000n, 'energy')).toBe('−2 Wh');
    expect(formatDelta(0n)).toBe('0');
  });
});

describe('decimal ⇄ micro-unit conversions (money)', () => {
  it.each([
    ['0.000262', 262n],
    ['0.018340', 18340n],
    ['12', 12_000_000n],
    ['1.5', 1_500_000n],
    ['-1.500000', -1_500_000n],
    ['123456789012345.999999', 123456789012345999999n],
  ])('reads %s as %s µ', (text, micro) => {
    expect(decimalToMicro(text)).toBe(micro);
  });

  it.each(['', '1.', '.5', '01.0', '1.0000001', '1e3', '+1', ' 1', "'1"])('refuses %j', (text) => {
    expect(() => decimalToMicro(text)).toThrow('not a decimal amount');
  });

  it('writes micro-units with 6 decimals and round-trips', () => {
    expect(microToDecimal(18340n)).toBe('0.018340');
    expect(microToDecimal(-1_500_000n)).toBe('-1.500000');
    expect(microToDecimal(0n)).toBe('0.000000');
    for (const value of [1n, 999_999n, 1_000_000n, 987654321987654321n, -7n]) {
      expect(decimalToMicro(microToDecimal(value))).toBe(value);
    }
  });
});
