import { deepStrictEqual, fail } from 'node:assert/strict';

import type { DomainEvent } from '../types';

/** A feature as two pure functions over its events (emmett's decider). */
export interface Decider<State, Command, E extends DomainEvent> {
  decide(command: Command, state: State): E | readonly E[];
  evolve(state: State, event: E): State;
  initialState(): State;
}

export interface DeciderThen<E> {
  /** The command produced exactly these events, in order (deep equality, bigint-aware). */
  then(expected: E | readonly E[]): void;
  thenNothingHappened(): void;
  /** The command was refused with an error carrying this stable `code` (or matching the predicate). */
  thenThrows(expected: string | ((error: unknown) => boolean)): void;
}

export interface DeciderWhen<Command, E> {
  when(command: Command): DeciderThen<E>;
}

const asArray = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? (value as readonly T[]) : [value as T];

/**
 * Given / when / then for deciders, with no I/O and no test framework dependency (failures are
 * assertion errors):
 *
 *   const given = DeciderSpecification.for(reserveQuotaDecider);
 *   given([budgetOpened]).when(reserveQuota).then([quotaReserved]);
 *   given([]).when(reserveQuota).thenThrows('QUOTA.BUDGET_NOT_FOUND');
 */
export const DeciderSpecification = {
  for<State, Command, E extends DomainEvent>(decider: Decider<State, Command, E>) {
    return (givenEvents: E | readonly E[]): DeciderWhen<Command, E> => ({
      when(command: Command): DeciderThen<E> {
        const run = (): readonly E[] => {
          const state = asArray(givenEvents).reduce(
            (current, event) => decider.evolve(current, event),
            decider.initialState(),
          );
          return asArray(decider.decide(command, state));
        };
        return {
          then(expected) {
            deepStrictEqual(run(), asArray(expected));
          },
          thenNothingHappened() {
            deepStrictEqual(run(), []);
          },
          thenThrows(expected) {
            let produced: readonly E[];
            try {
              produced = run();
            } catch (error) {
              const code = (error as { code?: unknown } | null)?.code;
              const matches = typeof expected === 'string' ? code === expected : expected(error);
              if (!matches) fail(`expected ${String(expected)}, got ${String(code ?? error)}`);
              return;
            }
            fail(`expected an error, but the command produced ${produced.length} event(s)`);
          },
        };
      },
    });
  },
};
