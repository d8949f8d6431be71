// How billing figures go over HTTP: every amount exact, as a decimal integer string of
// micro-units (`amountMicro: "1234567"`), AND as a display decimal with exactly 6 fraction
// digits next to it (`amount: "1.234567"`). The rule is mechanical so no endpoint forgets it:
// each field `<name>Micro` holding a decimal integer string (or a record of them, e.g.
// `totalsMicro: { EUR: "…" }`) gains a sibling `<name>` unless one exists. Energy (`…MicroWh`)
// and carbon (`…MicroGrams`) are quantities, not money, and are left as they are.
import { jsonSafe } from '@plafond/platform';
import { formatMicro, formatPpmAsDecimal, formatPpmAsPercent } from '../domain/money';

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const MAX_DEPTH = 32;

/** Shared with the other services (libs/platform): bigint, Date, Map made JSON-safe. */
export { jsonSafe };

function displayOf(value: unknown): unknown {
  if (typeof value === 'string' && INTEGER.test(value)) return formatMicro(BigInt(value));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.every(([, entry]) => typeof entry === 'string' && INTEGER.test(entry))) {
      return Object.fromEntries(
        entries.map(([key, entry]) => [key, formatMicro(BigInt(entry as string))]),
      );
    }
  }
  return undefined;
}

function withDisplay(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((entry) => withDisplay(entry, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const [key, entry] of Object.entries(source)) {
    result[key] = withDisplay(entry, depth + 1);
    if (key.length > 5 && key.endsWith('Micro')) {
      const name = key.slice(0, -'Micro'.length);
      if (Object.hasOwn(source, name)) continue;
      if (entry === null) {
        result[name] = null;
        continue;
      }
      const display = displayOf(entry);
      if (display !== undefined) result[name] = display;
    }
  }
  return result;
}

/** The JSON answer of a billing read or command: exact micro strings plus display decimals. */
export function present(value: unknown): unknown {
  return withDisplay(jsonSafe(value), 0);
}

/** A published price schedule as the API shows it (ledger data is all micro / ppm strings). */
export interface PriceScheduleWire {
  readonly currency: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly carbonPricePerTonneMicro: string;
  readonly energyPricePerKwhMicro: string | null;
  readonly classMultipliersPpm: Readonly<Record<string, string>>;
  readonly defaultMultiplierPpm: string;
  readonly overrunTiers: readonly { fromShareOfAllocationPpm: string; surchargePpm: string }[];
  readonly reason: string | null;
}

function ppmAsDecimal(ppm: string): string {
  return formatPpmAsDecimal(BigInt(ppm));
}

function ppmAsPercent(ppm: string): string {
  return formatPpmAsPercent(BigInt(ppm));
}

/**
 * A schedule with display decimals: prices (`carbonPricePerTonne: "85.000000"`), multipliers
 * (`classMultipliers: { essential: "1.000000" }`) and tier percentages
 * (`fromPercentOfAllocation`, `surchargePercent`), next to the exact micro / ppm strings.
 * Accepts the ledger data or the domain value (bigints, a Map of multipliers).
 */
export function scheduleView(schedule: unknown): Record<string, unknown> {
  const wire = jsonSafe(schedule) as PriceScheduleWire;
  // Code-point order: PostgreSQL's jsonb keeps keys shortest first, the domain sorted.
  const multipliers = Object.entries(wire.classMultipliersPpm).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return {
    currency: wire.currency,
    version: wire.version,
    effectiveFrom: wire.effectiveFrom,
    carbonPricePerTonne: formatMicro(BigInt(wire.carbonPricePerTonneMicro)),
    carbonPricePerTonneMicro: wire.carbonPricePerTonneMicro,
    energyPricePerKwh:
      wire.energyPricePerKwhMicro === null
        ? null
        : formatMicro(BigInt(wire.energyPricePerKwhMicro)),
    energyPricePerKwhMicro: wire.energyPricePerKwhMicro,
    classMultipliers: Object.fromEntries(
      multipliers.map(([name, ppm]) => [name, ppmAsDecimal(ppm)]),
    ),
    classMultipliersPpm: Object.fromEntries(multipliers),
    defaultMultiplier: ppmAsDecimal(wire.defaultMultiplierPpm),
    defaultMultiplierPpm: wire.defaultMultiplierPpm,
    overrunTiers: wire.overrunTiers.map((tier) => ({
      fromPercentOfAllocation: ppmAsPercent(tier.fromShareOfAllocationPpm),
      surchargePercent: ppmAsPercent(tier.surchargePpm),
      fromShareOfAllocationPpm: tier.fromShareOfAllocationPpm,
      surchargePpm: tier.surchargePpm,
    })),
    reason: wire.reason,
  };
}
