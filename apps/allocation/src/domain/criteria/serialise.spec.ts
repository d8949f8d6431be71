import { preview } from './allocate-tree';
import { serialise, serialisePolicy, serialiseTreeAllocation } from './serialise';
import { unwrap } from './testing/results';
import type { AllocationPolicy } from './types';

describe('serialise', () => {
  it('turns every bigint into a decimal string and keeps the rest', () => {
    expect(
      serialise({ a: 1n, b: [2n, { c: 10n ** 30n }], d: 'x', e: 3, f: null, g: undefined }),
    ).toEqual({
      a: '1',
      b: ['2', { c: '1000000000000000000000000000000' }],
      d: 'x',
      e: 3,
      f: null,
    });
  });

  it('gives a tree allocation that survives JSON unchanged', () => {
    const policy: AllocationPolicy = {
      contingency: { basisPoints: 500 },
      rule: {
        kind: 'tiers',
        mode: 'priority',
        tiers: [{ tier: 'essential' }],
        members: [{ childId: 'a', tier: 'essential', floor: 3n, cap: 50n }],
      },
    };
    const allocation = unwrap(
      preview({ unitId: 'r', children: [{ unitId: 'a' }] }, { r: policy }, 100n),
    );
    const json = serialiseTreeAllocation(allocation);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.units.a?.amount).toBe('50');
    expect(json.units.a?.explanation?.contributions[0]).toEqual({
      criterion: 'floor',
      floor: '3',
      amount: '3',
      shortfall: '0',
    });
    expect(json.units.r?.split).toEqual({
      criterion: 'tiers',
      heldBack: '5',
      unallocated: '45',
      unallocatedReasons: ['CAPS_REACHED'],
    });
    expect(serialisePolicy(policy).rule).toMatchObject({ members: [{ floor: '3', cap: '50' }] });
  });

  it('refuses floats, which have no place in a quantity', () => {
    expect(() => serialise({ amount: 0.5 })).toThrow('ALLOCATION.INVARIANT_VIOLATED');
  });
});
