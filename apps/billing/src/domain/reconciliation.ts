// Reconciliation: per unit, recorded usage (energy, carbon) against billed usage. Exact: any
// difference, or any usage held unpriced, is reported.

export interface ReconciliationInput {
  unitId: string;
  recordedEnergyMicroWh: bigint;
  recordedCarbonMicroGrams: bigint;
  billedEnergyMicroWh: bigint;
  billedCarbonMicroGrams: bigint;
  /** Usage recorded but not priced (no schedule): a difference by itself. */
  heldUnpriced: number;
}

export interface ReconciliationUnit {
  unitId: string;
  recordedEnergyMicroWh: string;
  recordedCarbonMicroGrams: string;
  billedEnergyMicroWh: string;
  billedCarbonMicroGrams: string;
  /** recorded − billed. */
  energyDifferenceMicroWh: string;
  carbonDifferenceMicroGrams: string;
  heldUnpriced: number;
  match: boolean;
}

export interface Reconciliation {
  status: 'match' | 'differences';
  /** Every unit, sorted by unitId (code points). */
  units: ReconciliationUnit[];
  /** The units that do not match. */
  differences: ReconciliationUnit[];
}

export function reconcile(rows: readonly ReconciliationInput[]): Reconciliation {
  const units = [...rows]
    .sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
    .map((row): ReconciliationUnit => {
      const energyDifference = row.recordedEnergyMicroWh - row.billedEnergyMicroWh;
      const carbonDifference = row.recordedCarbonMicroGrams - row.billedCarbonMicroGrams;
      return {
        unitId: row.unitId,
        recordedEnergyMicroWh: row.recordedEnergyMicroWh.toString(),
        recordedCarbonMicroGrams: row.recordedCarbonMicroGrams.toString(),
        billedEnergyMicroWh: row.billedEnergyMicroWh.toString(),
        billedCarbonMicroGrams: row.billedCarbonMicroGrams.toString(),
        energyDifferenceMicroWh: energyDifference.toString(),
        carbonDifferenceMicroGrams: carbonDifference.toString(),
        heldUnpriced: row.heldUnpriced,
        match: energyDifference === 0n && carbonDifference === 0n && row.heldUnpriced === 0,
      };
    });
  const differences = units.filter((unit) => !unit.match);
  return { status: differences.length === 0 ? 'match' : 'differences', units, differences };
}
