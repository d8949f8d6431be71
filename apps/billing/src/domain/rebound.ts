// The rebound report: energy per request fell while total energy rose (Jevons' paradox at unit
// scale). Exact rationals; displayed values rounded half away from zero.
import { formatRational } from './rounding';

export interface ReboundFigures {
  requests: bigint;
  energyMicroWh: bigint;
}

export interface ReboundRow {
  /** energy / requests in µWh with 6 decimals; null without requests. */
  energyPerRequestMicroWh: string | null;
  /** Signed percentage with 2 decimals ("-12.50"); null when either ratio is undefined or the previous is 0. */
  energyPerRequestChangePercent: string | null;
  /** Signed percentage with 2 decimals; null without a previous period with energy > 0. */
  totalEnergyChangePercent: string | null;
  /** Both periods have requests > 0 and energy > 0, energy/request fell strictly, total energy rose strictly. */
  rebound: boolean;
}

export function reboundRow(current: ReboundFigures, previous: ReboundFigures | null): ReboundRow {
  const energyPerRequestMicroWh =
    current.requests > 0n ? formatRational(current.energyMicroWh, current.requests, 6) : null;
  let energyPerRequestChangePercent: string | null = null;
  let totalEnergyChangePercent: string | null = null;
  let rebound = false;
  if (previous !== null) {
    if (previous.energyMicroWh > 0n) {
      totalEnergyChangePercent = formatRational(
        (current.energyMicroWh - previous.energyMicroWh) * 100n,
        previous.energyMicroWh,
        2,
      );
    }
    if (previous.requests > 0n && previous.energyMicroWh > 0n && current.requests > 0n) {
      // (Ec/Rc) / (Ep/Rp) − 1 = (Ec·Rp − Ep·Rc) / (Ep·Rc)
      const currentCross = current.energyMicroWh * previous.requests;
      const previousCross = previous.energyMicroWh * current.requests;
      energyPerRequestChangePercent = formatRational(
        (currentCross - previousCross) * 100n,
        previousCross,
        2,
      );
      rebound =
        current.energyMicroWh > 0n &&
        currentCross < previousCross &&
        current.energyMicroWh > previous.energyMicroWh;
    }
  }
  return {
    energyPerRequestMicroWh,
    energyPerRequestChangePercent,
    totalEnergyChangePercent,
    rebound,
  };
}
