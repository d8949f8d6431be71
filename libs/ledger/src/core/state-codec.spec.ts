import { canonicalJson } from './canonical-json';
import { decodeState, encodeState } from './state-codec';

describe('default snapshot codec', () => {
  it('round-trips plain JSON, bigint and Date at any depth through canonical JSON', () => {
    const state = {
      totalMicroWh: 9_007_199_254_740_993n,
      openedAt: new Date('2026-01-01T00:00:00.000Z'),
      units: [{ id: 'u-1', spentMicroWh: -5n, tags: ['a'], closed: false, note: null }],
      count: 3,
    };
    const stored = canonicalJson(encodeState(state));
    expect(decodeState(JSON.parse(stored))).toEqual(state);
  });

  it('drops undefined members and refuses values it cannot encode', () => {
    expect(encodeState({ kept: 1, dropped: undefined })).toEqual({ kept: 1 });
    expect(() => encodeState({ callback: () => 1 })).toThrow(/LEDGER.INVALID_ARGUMENT/);
  });
});
