import { formatAmount, formatExact, microToDecimal, toBig } from '../lib/format';

/**
 * A micro-unit amount (BigInt only), its raw integer in `data-value`. With a `dimension`, the
 * human figure ("1.235 kWh") with the exact base-unit value in the title (`exact` shows the
 * base-unit digits instead); with a `currency`, money to the micro-unit ("0.018340 EUR").
 */
export function Amount({
  value,
  dimension,
  currency,
  exact = false,
  className,
}: {
  value: string | bigint | null | undefined;
  dimension?: string;
  currency?: string;
  exact?: boolean;
  className?: string;
}) {
  if (value === null || value === undefined || value === '') return <span>—</span>;
  let big: bigint;
  try {
    big = toBig(value);
  } catch {
    return <span>{String(value)}</span>;
  }
  const full =
    currency === undefined ? formatExact(big, dimension) : `${microToDecimal(big)} ${currency}`;
  return (
    <span
      className={['amount', big < 0n ? 'negative' : '', className ?? ''].join(' ').trim()}
      title={full}
      data-value={big.toString()}
    >
      {exact || currency !== undefined ? full : formatAmount(big, dimension)}
    </span>
  );
}

/** Per-currency micro amounts ({ EUR: "18340" }) as "0.018340 EUR, 1.000000 CHF"; "—" when none. */
export function CurrencyAmounts({ amounts }: { amounts: Readonly<Record<string, string>> }) {
  const entries = Object.entries(amounts).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {entries.map(([currency, micro], index) => (
        <span key={currency}>
          {index > 0 && ', '}
          <Amount value={micro} currency={currency} />
        </span>
      ))}
    </>
  );
}
