import { reconcile } from './reconciliation';

const row = (
  unitId: string,
  recorded: [bigint, bigint],
  billed: [bigint, bigint],
  heldUnpriced = 0,
) => ({
  unitId,
  recordedEnergyMicroWh: recorded[0],
  recordedCarbonMicroGrams: recorded[1],
  billedEnergyMicroWh: billed[0],
  billedCarbonMicroGrams: billed[1],
  heldUnpriced,
});

describe('reconcile', () => {
  it('matches when recorded equals billed for every unit', () => {
    const result = reconcile([row('b', [10n, 20n], [10n, 20n]), row('a', [0n, 0n], [0n, 0n])]);
    expect(result.status).toBe('match');
    expect(result.differences).toEqual([]);
    expect(result.units.map((u) => u.unitId)).toEqual(['a', 'b']);
    expect(result.units[1]).toEqual({
      unitId: 'b',
      recordedEnergyMicroWh: '10',
      recordedCarbonMicroGrams: '20',
      billedEnergyMicroWh: '10',
      billedCarbonMicroGrams: '20',
      energyDifferenceMicroWh: '0',
      carbonDifferenceMicroGrams: '0',
      heldUnpriced: 0,
      match: true,
    });
  });
  it('lists every unit with a difference, signed recorded − billed', () => {
    const result = reconcile([
      row('a', [10n, 20n], [10n, 20n]),
      row('b', [10n, 20n], [10n, 25n]),
      row('c', [12n, 20n], [10n, 20n]),
    ]);
    expect(result.status).toBe('differences');
    expect(
      result.differences.map((d) => [
        d.unitId,
        d.energyDifferenceMicroWh,
        d.carbonDifferenceMicroGrams,
      ]),
    ).toEqual([
      ['b', '0', '-5'],
      ['c', '2', '0'],
    ]);
  });
  it('reports held unpriced usage as a difference even with equal figures', () => {
    const result = reconcile([row('a', [0n, 0n], [0n, 0n], 1)]);
    expect(result.status).toBe('differences');
    expect(result.differences[0]).toMatchObject({ unitId: 'a', heldUnpriced: 1, match: false });
  });
  it('matches an empty period', () => {
    expect(reconcile([])).toEqual({ status: 'match', units: [], differences: [] });
  });
});
