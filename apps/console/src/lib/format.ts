// Micro-unit amounts: decimal strings of integers, summed and formatted with BigInt only (a
// Number would lose exactness above 2^53). Numbers are used only to draw charts.

const INTEGER = /^-?\d+$/;

/** BigInt of a decimal-string amount; throws on anything that is not an integer string. */
export function toBig(value: string | bigint | number): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer amount: ${value}`);
    return BigInt(value);
  }
  const text = value.trim();
  if (!INTEGER.test(text)) throw new Error(`not an integer amount: ${JSON.stringify(value)}`);
  return BigInt(text);
}

export function sumAmounts(values: readonly (string | bigint)[]): bigint {
  let total = 0n;
  for (const value of values) total += toBig(value);
  return total;
}

/** A decimal with up to 6 places, as the billing APIs write money ("0.018340"). */
const DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,6}))?$/;

/** "0.000262" → 262n, "-1.5" → -1500000n. Throws on anything else (more than 6 decimals too). */
export function decimalToMicro(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (match === null) throw new Error(`not a decimal amount: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const micro = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  return sign === '-' ? -micro : micro;
}

/** 18340n → "0.018340" (6 decimals, sign kept): money in micro-units of its currency. */
export function microToDecimal(value: string | bigint): string {
  const micro = toBig(value);
  const negative = micro < 0n;
  const absolute = negative ? -micro : micro;
  const whole = absolute / 1_000_000n;
  const fraction = (absolute % 1_000_000n).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${fraction}`;
}

/** Groups of three digits: 1234567 → "1 234 567" (narrow no-break spaces). */
export function groupDigits(value: string | bigint): string {
  const big = toBig(value);
  const negative = big < 0n;
  const digits = (negative ? -big : big).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return negative ? `-${grouped}` : grouped;
}

/** Base unit of each dimension, and the larger unit a figure is shown in. */
interface UnitScale {
  base: string;
  steps: { unit: string; factor: bigint }[];
}

/** Steps of a metric unit from the micro base: mega, kilo, one, milli (factors 10^12 … 10^3). */
function metricSteps(units: readonly [string, string, string, string]): UnitScale['steps'] {
  const factors = [1_000_000_000_000n, 1_000_000_000n, 1_000_000n, 1_000n];
  return units.map((unit, index) => ({ unit, factor: factors[index] ?? 1n }));
}

const SCALES: Record<string, UnitScale> = {
  energy: { base: 'µWh', steps: metricSteps(['MWh', 'kWh', 'Wh', 'mWh']) },
  carbon: { base: 'µgCO2e', steps: metricSteps(['t CO2e', 'kg CO2e', 'g CO2e', 'mg CO2e']) },
  compute: {
    base: 'gpu_ms',
    steps: [
      { unit: 'GPU h', factor: 3_600_000n },
      { unit: 'GPU s', factor: 1_000n },
    ],
  },
  requests: { base: 'requests', steps: [] },
  tokens: { base: 'tokens', steps: [] },
};

export function baseUnit(dimension: string | undefined): string {
  return (dimension && SCALES[dimension]?.base) ?? '';
}

/**
 * Exact decimal division: value / factor with at most `decimals` digits, rounded half away
 * from zero, trailing zeros dropped. Integer arithmetic only.
 */
export function divideExact(value: bigint, factor: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  let scaled = (abs * scale) / factor;
  const remainder = (abs * scale) % factor;
  if (remainder * 2n >= factor) scaled += 1n;
  const whole = scaled / scale;
  let fraction = (scaled % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  if (decimals === 0) fraction = '';
  const text = `${groupDigits(whole)}${fraction ? `.${fraction}` : ''}`;
  return negative && scaled !== 0n ? `-${text}` : text;
}

/**
 * A human figure: the largest unit the amount reaches, 3 decimals ("1.235 kWh"); below the
 * smallest step, the base unit with grouped digits ("950 µWh").
 */
export function formatAmount(value: string | bigint, dimension?: string): string {
  const big = toBig(value);
  const scale = dimension ? SCALES[dimension] : undefined;
  if (!scale) return groupDigits(big);
  const abs = big < 0n ? -big : big;
  for (const step of scale.steps) {
    if (abs >= step.factor) return `${divideExact(big, step.factor, 3)} ${step.unit}`;
  }
  return `${groupDigits(big)} ${scale.base}`;
}

/** The exact figure in the base unit ("1 234 567 µWh"), for titles and tables. */
export function formatExact(value: string | bigint, dimension?: string): string {
  const unit = baseUnit(dimension);
  return unit ? `${groupDigits(value)} ${unit}` : groupDigits(value);
}

/** Share a/b in percent with one decimal ("12.5 %"); "—" when b is 0. */
export function formatShare(part: string | bigint, whole: string | bigint): string {
  const b = toBig(whole);
  if (b === 0n) return '—';
  return `${divideExact(toBig(part) * 100n, b, 1)} %`;
}

/** A Number for drawing only (charts); never shown as a figure. */
export function toChartNumber(value: string | bigint): number {
  return Number(toBig(value));
}

/** A chart's axis tick or tooltip (a drawn Number, rounded) as a human figure. */
export function formatChartValue(value: number, dimension?: string): string {
  return Number.isFinite(value) ? formatAmount(BigInt(Math.round(value)), dimension) : '';
}

/** Signed difference with an explicit sign: "+1 200", "-300", "0". */
export function formatDelta(value: bigint, dimension?: string): string {
  if (value === 0n) return '0';
  const text = formatAmount(value < 0n ? -value : value, dimension);
  return value > 0n ? `+${text}` : `−${text}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 10);
}
