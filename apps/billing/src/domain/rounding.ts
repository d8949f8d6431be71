// The one rounding rule of billing: an exact rational numerator / denominator is rounded to the
// nearest integer, halves away from zero (2.5 → 3, −2.5 → −3). Applied once per line.

/** `numerator / denominator` rounded to the nearest integer, ties away from zero. */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  if (remainder * 2n >= denominator) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * `numerator / denominator` as a fixed-point decimal string with `fractionDigits` digits, rounded
 * half away from zero ("-12.50"). Never "-0.00": a value that rounds to zero has no sign.
 */
export function formatRational(
  numerator: bigint,
  denominator: bigint,
  fractionDigits: number,
): string {
  const scale = 10n ** BigInt(fractionDigits);
  return formatScaled(roundHalfAwayFromZero(numerator * scale, denominator), fractionDigits);
}

/** An integer `scaled` read as having `fractionDigits` decimals: (1234n, 2) → "12.34". */
export function formatScaled(scaled: bigint, fractionDigits: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(fractionDigits + 1, '0');
  const integer = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  const body = fractionDigits === 0 ? integer : `${integer}.${fraction}`;
  return negative ? `-${body}` : body;
}
