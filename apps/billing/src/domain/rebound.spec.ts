import { reboundRow } from './rebound';

describe('reboundRow', () => {
  it('flags energy per request falling while total energy rises, with both percentages', () => {
    // previous 10 000 µWh/request, current 8 000: −20 %; total 1.0 → 1.2 Wh: +20 %
    expect(
      reboundRow(
        { requests: 150n, energyMicroWh: 1_200_000n },
        { requests: 100n, energyMicroWh: 1_000_000n },
      ),
    ).toEqual({
      energyPerRequestMicroWh: '8000.000000',
      energyPerRequestChangePercent: '-20.00',
      totalEnergyChangePercent: '20.00',
      rebound: true,
    });
  });
  it('computes exact percentages and rounds for display only', () => {
    // 1 000 000 / 3 → 1 100 000 / 4: (3.3e6 − 4e6) / 4e6 = −17.5 %; total +10 %
    expect(
      reboundRow(
        { requests: 4n, energyMicroWh: 1_100_000n },
        { requests: 3n, energyMicroWh: 1_000_000n },
      ),
    ).toEqual({
      energyPerRequestMicroWh: '275000.000000',
      energyPerRequestChangePercent: '-17.50',
      totalEnergyChangePercent: '10.00',
      rebound: true,
    });
    expect(
      reboundRow({ requests: 3n, energyMicroWh: 1_000_000n }, null).energyPerRequestMicroWh,
    ).toBe('333333.333333');
    // ±0.125 % → ±0.13 (half away from zero)
    expect(
      reboundRow({ requests: 1n, energyMicroWh: 801n }, { requests: 1n, energyMicroWh: 800n })
        .totalEnergyChangePercent,
    ).toBe('0.13');
    expect(
      reboundRow({ requests: 1n, energyMicroWh: 799n }, { requests: 1n, energyMicroWh: 800n })
        .totalEnergyChangePercent,
    ).toBe('-0.13');
  });
  it('does not flag when energy per request is unchanged (strictly fell required)', () => {
    expect(
      reboundRow(
        { requests: 120n, energyMicroWh: 1_200_000n },
        { requests: 100n, energyMicroWh: 1_000_000n },
      ),
    ).toMatchObject({
      energyPerRequestChangePercent: '0.00',
      totalEnergyChangePercent: '20.00',
      rebound: false,
    });
  });
  it('does not flag when total energy is unchanged or fell (strictly rose required)', () => {
    expect(
      reboundRow(
        { requests: 200n, energyMicroWh: 1_000_000n },
        { requests: 100n, energyMicroWh: 1_000_000n },
      ),
    ).toMatchObject({
      energyPerRequestChangePercent: '-50.00',
      totalEnergyChangePercent: '0.00',
      rebound: false,
    });
    expect(
      reboundRow(
        { requests: 200n, energyMicroWh: 900_000n },
        { requests: 100n, energyMicroWh: 1_000_000n },
      ).rebound,
    ).toBe(false);
  });
  it('does not flag when energy per request rose with total energy', () => {
    expect(
      reboundRow(
        { requests: 100n, energyMicroWh: 2_000_000n },
        { requests: 100n, energyMicroWh: 1_000_000n },
      ),
    ).toMatchObject({
      energyPerRequestChangePercent: '100.00',
      totalEnergyChangePercent: '100.00',
      rebound: false,
    });
  });
  it('leaves undefined ratios null and never flags them', () => {
    expect(reboundRow({ requests: 10n, energyMicroWh: 50n }, null)).toEqual({
      energyPerRequestMicroWh: '5.000000',
      energyPerRequestChangePercent: null,
      totalEnergyChangePercent: null,
      rebound: false,
    });
    expect(
      reboundRow({ requests: 0n, energyMicroWh: 0n }, { requests: 10n, energyMicroWh: 50n }),
    ).toEqual({
      energyPerRequestMicroWh: null,
      energyPerRequestChangePercent: null,
      totalEnergyChangePercent: '-100.00',
      rebound: false,
    });
    // previous without requests: total change known, per-request change not
    expect(
      reboundRow({ requests: 10n, energyMicroWh: 100n }, { requests: 0n, energyMicroWh: 50n }),
    ).toEqual({
      energyPerRequestMicroWh: '10.000000',
      energyPerRequestChangePercent: null,
      totalEnergyChangePercent: '100.00',
      rebound: false,
    });
    // previous without energy
    expect(
      reboundRow({ requests: 10n, energyMicroWh: 100n }, { requests: 10n, energyMicroWh: 0n }),
    ).toMatchObject({
      energyPerRequestChangePercent: null,
      totalEnergyChangePercent: null,
      rebound: false,
    });
  });
});
