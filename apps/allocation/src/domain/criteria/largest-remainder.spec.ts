import { largestRemainder, splitWithRoom } from './largest-remainder';

const amounts = (parts: { id: string; amount: bigint }[]) =>
  Object.fromEntries(parts.map((part) => [part.id, part.amount]));

describe('largestRemainder', () => {
  it('gives the unit left by equal remainders to the smallest id, whatever the input order', () => {
    const forward = largestRemainder(10n, [
      { id: 'a', weight: 1n },
      { id: 'b', weight: 1n },
      { id: 'c', weight: 1n },
    ]);
    const backward = largestRemainder(10n, [
      { id: 'c', weight: 1n },
      { id: 'b', weight: 1n },
      { id: 'a', weight: 1n },
    ]);
    expect(amounts(forward.parts)).toEqual({ a: 4n, b: 3n, c: 3n });
    expect(amounts(backward.parts)).toEqual({ a: 4n, b: 3n, c: 3n });
    expect(backward.parts.map((part) => part.id)).toEqual(['c', 'b', 'a']);
    expect(forward.parts.find((part) => part.id === 'a')?.roundedUp).toBe(true);
  });

  it('gives the leftover to the largest remainder first (10 by 3:3:1 → 4, 4, 2)', () => {
    // quotas 4.29, 4.29, 1.43: remainders 2/7, 2/7, 3/7 → c is rounded up, not a.
    const { parts, undistributed } = largestRemainder(10n, [
      { id: 'a', weight: 3n },
      { id: 'b', weight: 3n },
      { id: 'c', weight: 1n },
    ]);
    expect(amounts(parts)).toEqual({ a: 4n, b: 4n, c: 2n });
    expect(parts.map((part) => part.roundedUp)).toEqual([false, false, true]);
    expect(undistributed).toBe(0n);
  });

  it('splits exactly when the quotas are whole', () => {
    const { parts } = largestRemainder(100n, [
      { id: 'a', weight: 50n },
      { id: 'b', weight: 30n },
      { id: 'c', weight: 20n },
    ]);
    expect(amounts(parts)).toEqual({ a: 50n, b: 30n, c: 20n });
    expect(parts.every((part) => !part.roundedUp)).toBe(true);
  });

  it('never gives a zero weight anything', () => {
    const { parts } = largestRemainder(5n, [
      { id: 'a', weight: 0n },
      { id: 'b', weight: 1n },
    ]);
    expect(amounts(parts)).toEqual({ a: 0n, b: 5n });
  });

  it('returns the whole amount as undistributed when every weight is zero', () => {
    const { parts, undistributed } = largestRemainder(7n, [
      { id: 'a', weight: 0n },
      { id: 'b', weight: 0n },
    ]);
    expect(amounts(parts)).toEqual({ a: 0n, b: 0n });
    expect(undistributed).toBe(7n);
  });

  it('splits zero into zeros and handles no entries', () => {
    expect(amounts(largestRemainder(0n, [{ id: 'a', weight: 3n }]).parts)).toEqual({ a: 0n });
    expect(largestRemainder(9n, [])).toEqual({ parts: [], undistributed: 9n });
  });

  it('stays exact far beyond the float range', () => {
    const amount = 10n ** 30n;
    const { parts } = largestRemainder(amount, [
      { id: 'a', weight: 1n },
      { id: 'b', weight: 2n },
    ]);
    // remainders: 10^30 mod 3 = 1, 2·10^30 mod 3 = 2 → b takes the unit.
    expect(amounts(parts)).toEqual({
      a: 333333333333333333333333333333n,
      b: 666666666666666666666666666667n,
    });
  });
});

describe('splitWithRoom', () => {
  it('fixes an entry at its room and splits the rest among the others', () => {
    const split = splitWithRoom(100n, [
      { id: 'a', weight: 1n, room: 10n },
      { id: 'b', weight: 1n, room: null },
      { id: 'c', weight: 1n, room: null },
    ]);
    expect(amounts(split.parts)).toEqual({ a: 10n, b: 45n, c: 45n });
    expect(split).toMatchObject({ undistributed: 0n, reason: null });
  });

  it('cascades when fixing one entry makes another overflow', () => {
    // round 1: 30 each, a > 20; round 2: 70 over b, c = 35 each, b > 34; round 3: c = 36.
    const split = splitWithRoom(90n, [
      { id: 'a', weight: 1n, room: 20n },
      { id: 'b', weight: 1n, room: 34n },
      { id: 'c', weight: 1n, room: null },
    ]);
    expect(amounts(split.parts)).toEqual({ a: 20n, b: 34n, c: 36n });
  });

  it('returns what every room together cannot hold, with CAPS_REACHED', () => {
    const split = splitWithRoom(100n, [
      { id: 'a', weight: 1n, room: 10n },
      { id: 'b', weight: 1n, room: 20n },
    ]);
    expect(amounts(split.parts)).toEqual({ a: 10n, b: 20n });
    expect(split).toMatchObject({ undistributed: 70n, reason: 'CAPS_REACHED' });
  });

  it('reports ALL_WEIGHTS_ZERO when nobody has weight', () => {
    const split = splitWithRoom(5n, [{ id: 'a', weight: 0n, room: null }]);
    expect(split).toMatchObject({ undistributed: 5n, reason: 'ALL_WEIGHTS_ZERO' });
  });

  it('gives nothing to an entry without room', () => {
    const split = splitWithRoom(8n, [
      { id: 'a', weight: 5n, room: 0n },
      { id: 'b', weight: 1n, room: null },
    ]);
    expect(amounts(split.parts)).toEqual({ a: 0n, b: 8n });
  });
});
