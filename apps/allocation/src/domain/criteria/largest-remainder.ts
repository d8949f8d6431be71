// Exact proportional splitting on integers. Every criterion that divides by weights goes
// through here, so "the parts sum exactly" is proven in one place.
import { invariant } from './errors';

export interface WeightedEntry {
  id: string;
  weight: bigint;
}

export interface RoundedPart {
  id: string;
  amount: bigint;
  /** Received one unit above its exact quota rounded down. */
  roundedUp: boolean;
}

/** Code-unit order: unlike localeCompare it does not depend on the machine's locale. */
export function compareIds(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Hamilton (largest remainder) apportionment of `amount` by `weight`: each entry gets its quota
 * rounded down, then the units left (fewer than the entries) go one each to the largest
 * remainders, ties broken by id. Parts come back in the order of `entries`. When every weight is
 * zero nothing can be split proportionally and the whole amount is returned as `undistributed`.
 */
export function largestRemainder(
  amount: bigint,
  entries: readonly WeightedEntry[],
): { parts: RoundedPart[]; undistributed: bigint } {
  const totalWeight = entries.reduce((sum, entry) => sum + entry.weight, 0n);
  if (totalWeight === 0n || amount === 0n) {
    const parts = entries.map((entry) => ({ id: entry.id, amount: 0n, roundedUp: false }));
    return { parts, undistributed: totalWeight === 0n ? amount : 0n };
  }
  const quotas = entries.map((entry, index) => ({
    index,
    id: entry.id,
    floor: (amount * entry.weight) / totalWeight,
    remainder: (amount * entry.weight) % totalWeight,
  }));
  const left = amount - quotas.reduce((sum, quota) => sum + quota.floor, 0n);
  // Σ remainders = left × totalWeight and each remainder < totalWeight, so more than `left`
  // entries have a positive remainder: a zero weight never receives a rounding unit.
  const order = [...quotas].sort((a, b) =>
    a.remainder === b.remainder ? compareIds(a.id, b.id) : a.remainder > b.remainder ? -1 : 1,
  );
  const roundedUp = new Set(order.slice(0, Number(left)).map((quota) => quota.index));
  const parts = quotas.map((quota) => ({
    id: quota.id,
    amount: quota.floor + (roundedUp.has(quota.index) ? 1n : 0n),
    roundedUp: roundedUp.has(quota.index),
  }));
  return { parts, undistributed: 0n };
}

export interface RoomyEntry extends WeightedEntry {
  /** Most this entry may still receive; null = unbounded. */
  room: bigint | null;
}

export type SplitLeftoverReason = 'ALL_WEIGHTS_ZERO' | 'CAPS_REACHED';

/**
 * Proportional split where an entry cannot receive more than its room: entries whose share
 * overflows are fixed at their room and the rest is split again among the others (at most one
 * round per entry). What nobody can take is returned as `undistributed`, with the reason.
 */
export function splitWithRoom(
  amount: bigint,
  entries: readonly RoomyEntry[],
): { parts: RoundedPart[]; undistributed: bigint; reason: SplitLeftoverReason | null } {
  const result = new Map<number, RoundedPart>();
  const open = new Set<number>();
  entries.forEach((entry, index) => {
    if (entry.weight > 0n && (entry.room === null || entry.room > 0n)) open.add(index);
    else result.set(index, { id: entry.id, amount: 0n, roundedUp: false });
  });
  let remaining = amount;
  for (let round = 0; round <= entries.length && open.size > 0; round += 1) {
    const active = [...open];
    const split = largestRemainder(
      remaining,
      active.map((index) => entries[index] as RoomyEntry),
    );
    const overflowing = active.filter((index, position) => {
      const room = (entries[index] as RoomyEntry).room;
      return room !== null && (split.parts[position] as RoundedPart).amount > room;
    });
    if (overflowing.length === 0) {
      active.forEach((index, position) => result.set(index, split.parts[position] as RoundedPart));
      open.clear();
      remaining = split.undistributed;
      break;
    }
    for (const index of overflowing) {
      const entry = entries[index] as RoomyEntry;
      const room = entry.room ?? 0n;
      result.set(index, { id: entry.id, amount: room, roundedUp: false });
      remaining -= room;
      open.delete(index);
    }
  }
  invariant(open.size === 0, 'splitWithRoom left entries unassigned');
  const parts = entries.map((_, index) => result.get(index) as RoundedPart);
  if (remaining === 0n) return { parts, undistributed: 0n, reason: null };
  const anyWeight = entries.some((entry) => entry.weight > 0n);
  return {
    parts,
    undistributed: remaining,
    reason: anyWeight ? 'CAPS_REACHED' : 'ALL_WEIGHTS_ZERO',
  };
}
