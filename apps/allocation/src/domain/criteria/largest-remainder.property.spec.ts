import fc from 'fast-check';
import { largestRemainder, splitWithRoom } from './largest-remainder';
import { amountArb, childIdsArb, permutationOf } from './testing/criteria.arbitraries';

const RUNS = { numRuns: 200 };

const entriesArb = childIdsArb().chain((ids) =>
  fc.tuple(
    ...ids.map((id) => fc.bigInt({ min: 0n, max: 10n ** 9n }).map((weight) => ({ id, weight }))),
  ),
);

const byId = (parts: { id: string; amount: bigint }[]) =>
  Object.fromEntries(parts.map((part) => [part.id, part.amount]));

describe('largestRemainder properties', () => {
  it('sums exactly, stays within one unit of the exact quota and gives zero weights nothing', () => {
    fc.assert(
      fc.property(amountArb, entriesArb, (amount, entries) => {
        const { parts, undistributed } = largestRemainder(amount, entries);
        const total = entries.reduce((sum, entry) => sum + entry.weight, 0n);
        expect(parts.reduce((sum, part) => sum + part.amount, 0n) + undistributed).toBe(amount);
        entries.forEach((entry, index) => {
          const part = parts[index]?.amount ?? -1n;
          const quota = total === 0n ? 0n : (amount * entry.weight) / total;
          expect(part === quota || part === quota + 1n).toBe(true);
          if (entry.weight === 0n) expect(part).toBe(0n);
        });
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the entries', () => {
    fc.assert(
      fc.property(
        amountArb,
        entriesArb.chain((entries) => fc.tuple(fc.constant(entries), permutationOf(entries))),
        (amount, [entries, shuffled]) => {
          expect(byId(largestRemainder(amount, shuffled).parts)).toEqual(
            byId(largestRemainder(amount, entries).parts),
          );
        },
      ),
      RUNS,
    );
  });
});

describe('splitWithRoom properties', () => {
  const roomyArb = childIdsArb().chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          weight: fc.bigInt({ min: 0n, max: 20n }),
          room: fc.option(fc.bigInt({ min: 0n, max: 500n }), { nil: null }),
        }),
      ),
    ),
  );

  it('conserves the amount, never exceeds a room and leaves something only when nobody can take it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 3_000n }), roomyArb, (amount, entries) => {
        const { parts, undistributed } = splitWithRoom(amount, entries);
        expect(parts.reduce((sum, part) => sum + part.amount, 0n) + undistributed).toBe(amount);
        entries.forEach((entry, index) => {
          const part = parts[index]?.amount ?? -1n;
          expect(part).toBeGreaterThanOrEqual(0n);
          if (entry.room !== null) expect(part).toBeLessThanOrEqual(entry.room);
          if (undistributed > 0n && entry.weight > 0n) expect(part).toBe(entry.room);
        });
      }),
      RUNS,
    );
  });
});
