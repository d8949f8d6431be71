import fc from 'fast-check';
import { convert, type Conversion, type ConvertibleUsage } from './convert';
import { parseFactorSet } from './factor-set.parse';
import { selectFactorSet } from './factor-set.select';
import { serialiseFactorSet } from './factor-set.serialise';
import type { FactorSet } from './factor-set.types';
import { rerate, type RatedUsage } from './rerate';
import { factorSet } from './testing/factor-set.fixtures';
import { factorSetJsonArb, countArb, instantArb, usageArb } from './testing/conversion.arbitraries';

const RUNS = { numRuns: 200 };
const setArb = (version: string, from?: string, to?: string) =>
  factorSetJsonArb(version, from, to).map(factorSet);

function converted(usage: ConvertibleUsage, set: FactorSet): Conversion {
  const result = convert(usage, set);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

/** Converts under the set the catalogue selects, as ingestion records a usage. */
function recordUnder(
  catalogue: readonly FactorSet[],
  usage: ConvertibleUsage,
  at: string,
  id: number,
) {
  const selected = selectFactorSet(catalogue, at);
  if (!selected.ok) throw new Error(JSON.stringify(selected.error));
  const result = converted(usage, selected.value);
  const { measuredEnergyMicroWh: _measured, ...quantities } = usage;
  const rated: RatedUsage = {
    ...quantities,
    reportedSource: 'prop',
    reportedId: String(id),
    unitId: 'unit',
    useCase: 'chat',
    occurredAt: at,
    energyMicroWh: result.energyMicroWh,
    carbonMicroGrams: result.carbonMicroGrams,
    method: result.method,
    factorSetVersion: result.factorSetVersion,
  };
  return rated;
}

const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

describe('conversion properties', () => {
  it('never gives a negative energy or carbon, and measured energy passes through', () => {
    fc.assert(
      fc.property(setArb('p'), usageArb, (set, usage) => {
        const result = converted(usage, set);
        expect(result.energyMicroWh >= 0n && result.carbonMicroGrams >= 0n).toBe(true);
        if (usage.measuredEnergyMicroWh !== undefined) {
          expect(result.energyMicroWh).toBe(usage.measuredEnergyMicroWh);
          expect(result.method).toBe('measured');
        } else {
          expect(result.method).toBe('modelled');
        }
      }),
      RUNS,
    );
  });

  it('is monotonic in tokens and in GPU time', () => {
    const extra = countArb;
    fc.assert(
      fc.property(setArb('p'), usageArb, extra, extra, (set, drawn, moreIn, moreOut) => {
        const { measuredEnergyMicroWh: _m, gpuMs: _g, ...tokensOnly } = drawn;
        const base = converted(tokensOnly, set);
        const grown = converted(
          {
            ...tokensOnly,
            inputTokens: (tokensOnly.inputTokens ?? 0n) + moreIn,
            outputTokens: (tokensOnly.outputTokens ?? 0n) + moreOut,
          },
          set,
        );
        expect(grown.energyMicroWh >= base.energyMicroWh).toBe(true);
        expect(grown.carbonMicroGrams >= base.carbonMicroGrams).toBe(true);
        const gpu = { ...tokensOnly, gpuMs: moreIn };
        const longer = converted({ ...gpu, gpuMs: moreIn + moreOut }, set);
        expect(longer.energyMicroWh >= converted(gpu, set).energyMicroWh).toBe(true);
      }),
      RUNS,
    );
  });

  it('serialises and parses back to the same set', () => {
    fc.assert(
      fc.property(setArb('p'), (set) => {
        const again = parseFactorSet(JSON.parse(JSON.stringify(serialiseFactorSet(set))));
        expect(again).toEqual({ ok: true, value: set });
      }),
      RUNS,
    );
  });

  it('re-rates by deltas that sum exactly to the new total minus the old, once', () => {
    const window = fc
      .tuple(instantArb, instantArb)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => (a < b ? { from: a, to: b } : { from: b, to: a }));
    const scenario = window.chain(({ from, to }) =>
      fc.record({
        old: setArb('old', '2026-01-01T00:00:00Z'),
        fix: setArb('fix', from, to),
        usages: fc.array(fc.tuple(usageArb, instantArb), { minLength: 1, maxLength: 30 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ old, fix, usages }) => {
        const events = usages.map(([usage, at], id) => recordUnder([old], usage, at, id));
        const result = rerate({ events, published: [old], newSet: fix });
        expect(result.failures).toEqual([]);
        const renewed = usages.map(([usage, at], id) => recordUnder([old, fix], usage, at, id));
        const energyBefore = sum(events.map((event) => event.energyMicroWh));
        const carbonBefore = sum(events.map((event) => event.carbonMicroGrams));
        const energyAfter = sum(renewed.map((event) => event.energyMicroWh));
        const carbonAfter = sum(renewed.map((event) => event.carbonMicroGrams));
        expect(result.energyDeltaMicroWh).toBe(energyAfter - energyBefore);
        expect(result.carbonDeltaMicroGrams).toBe(carbonAfter - carbonBefore);
        expect(sum(result.adjustments.map((item) => item.carbonDeltaMicroGrams))).toBe(
          carbonAfter - carbonBefore,
        );
        expect(result.adjustments.length + result.skipped.length).toBe(events.length);

        const applied = events.map((event) => {
          const adjustment = result.adjustments.find(
            (item) => item.reportedId === event.reportedId,
          );
          if (adjustment === undefined) return event;
          expect(event.energyMicroWh + adjustment.energyDeltaMicroWh).toBe(
            adjustment.energyMicroWh,
          );
          return {
            ...event,
            energyMicroWh: adjustment.energyMicroWh,
            carbonMicroGrams: adjustment.carbonMicroGrams,
            factorSetVersion: adjustment.toFactorSetVersion,
          };
        });
        expect(rerate({ events: applied, published: [old, fix], newSet: fix }).adjustments).toEqual(
          [],
        );
      }),
      { numRuns: 100 },
    );
  });
});
