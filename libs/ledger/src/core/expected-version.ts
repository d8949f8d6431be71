import { LedgerConcurrencyError, LedgerInvalidArgumentError } from '../errors';
import type { ExpectedVersion } from '../types';

export type VersionExpectation =
  | { kind: 'exact'; version: bigint }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'any' };

/** Omitted means `any`, as in emmett; `0` is the same as `no_stream`. */
export function toVersionExpectation(expected: ExpectedVersion | undefined): VersionExpectation {
  if (expected === undefined || expected === 'any') return { kind: 'any' };
  if (expected === 'no_stream' || expected === 'stream_exists') return { kind: expected };
  if (typeof expected === 'number' && !Number.isSafeInteger(expected)) {
    throw new LedgerInvalidArgumentError(`expectedVersion ${expected} is not a safe integer`);
  }
  if (typeof expected !== 'number' && typeof expected !== 'bigint') {
    throw new LedgerInvalidArgumentError(`expectedVersion ${String(expected)} is not a version`);
  }
  const version = BigInt(expected);
  if (version < 0n) throw new LedgerInvalidArgumentError(`expectedVersion ${version} is negative`);
  return version === 0n ? { kind: 'no_stream' } : { kind: 'exact', version };
}

export function expectationHolds(expectation: VersionExpectation, currentVersion: bigint): boolean {
  switch (expectation.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return currentVersion === 0n;
    case 'stream_exists':
      return currentVersion > 0n;
    case 'exact':
      return currentVersion === expectation.version;
    default: {
      const unreachable: never = expectation;
      return unreachable;
    }
  }
}

export function assertExpectation(
  streamId: string,
  expected: ExpectedVersion | undefined,
  expectation: VersionExpectation,
  currentVersion: bigint,
): void {
  if (!expectationHolds(expectation, currentVersion)) {
    throw new LedgerConcurrencyError(streamId, expected ?? 'any', currentVersion);
  }
}
