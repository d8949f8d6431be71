// The use-case catalog: one stream (`usecase-catalog`). Its initial state is
// DEFAULT_USEFULNESS_CLASSES: a catalog nobody wrote yet reads as those classes, and the first
// catalog command records them (UsefulnessClassDefined × 3) in the same append as its own events,
// so use cases can be registered in them at once and the seed is in the ledger like any change.
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, type AsOf } from '@plafond/ledger';
import {
  CATALOG_STREAM_ID,
  DOMAIN_ERROR_CODES,
  DomainError,
  decideCatalog,
  evolveCatalog,
  type CatalogCommand,
  type CatalogEvent,
  type CatalogState,
  type ClassRule,
} from '../domain';
import { CLOCK, type Clock } from './clock';
import { metadataFor, type CommandContext } from './command-context';
import { CATALOG_SEED_EVENTS, loadCatalog } from './streams';
import { lockStreams } from './stream-locks';
import { runUnitOfWork } from './unit-of-work';
import type { UseCaseView, UsefulnessClassView } from './views';

const SEED_REASON = 'default usefulness classes, recorded with the first catalog change';

function classView(state: CatalogState, className: string): UsefulnessClassView {
  const found = Object.hasOwn(state.classes, className) ? state.classes[className] : undefined;
  if (found === undefined)
    throw new DomainError(
      DOMAIN_ERROR_CODES.classNotFound,
      `usefulness class "${className}" not found`,
      {
        className,
      },
    );
  return { ...found, rule: { ...found.rule } };
}

function useCaseView(state: CatalogState, useCase: string): UseCaseView {
  const found = Object.hasOwn(state.useCases, useCase) ? state.useCases[useCase] : undefined;
  if (found === undefined)
    throw new DomainError(DOMAIN_ERROR_CODES.useCaseNotFound, `use case "${useCase}" not found`, {
      useCase,
    });
  return { ...found };
}

@Injectable()
export class CatalogService {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  defineClass(
    ctx: CommandContext,
    input: { className: string; description: string; rule: ClassRule },
  ): Promise<UsefulnessClassView> {
    return this.write(
      ctx,
      input.className,
      (now) => ({ type: 'DefineUsefulnessClass', data: input, metadata: { now } }),
      (state) => classView(state, input.className),
    );
  }

  changeClassRule(
    ctx: CommandContext,
    className: string,
    rule: ClassRule,
  ): Promise<UsefulnessClassView> {
    return this.write(
      ctx,
      className,
      (now) => ({ type: 'ChangeClassRule', data: { className, rule }, metadata: { now } }),
      (state) => classView(state, className),
    );
  }

  registerUseCase(
    ctx: CommandContext,
    input: { useCase: string; className: string; description: string },
  ): Promise<UseCaseView> {
    return this.write(
      ctx,
      input.useCase,
      (now) => ({ type: 'RegisterUseCase', data: input, metadata: { now } }),
      (state) => useCaseView(state, input.useCase),
    );
  }

  reclassifyUseCase(ctx: CommandContext, useCase: string, className: string): Promise<UseCaseView> {
    return this.write(
      ctx,
      useCase,
      (now) => ({ type: 'ReclassifyUseCase', data: { useCase, className }, metadata: { now } }),
      (state) => useCaseView(state, useCase),
    );
  }

  retireUseCase(ctx: CommandContext, useCase: string): Promise<UseCaseView> {
    return this.write(
      ctx,
      useCase,
      (now) => ({ type: 'RetireUseCase', data: { useCase }, metadata: { now } }),
      (state) => useCaseView(state, useCase),
    );
  }

  /** The catalog at `asOf` (now by default); before any catalog command, the default classes. */
  async catalog(asOf?: AsOf): Promise<CatalogState> {
    return (await loadCatalog(this.store, asOf)).state;
  }

  private write<View>(
    ctx: CommandContext,
    partitionKey: string,
    commandAt: (now: Date) => CatalogCommand,
    view: (state: CatalogState) => View,
  ): Promise<View> {
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, this.store.schema, [CATALOG_STREAM_ID]);
      const { state, version } = await loadCatalog(tx);
      const now = this.clock();
      const decided = decideCatalog(commandAt(now), state);
      if (decided.length === 0) return view(state);
      // Seed ids stay random: a concurrent first write then loses on the version and retries.
      const seed = version === 0n ? CATALOG_SEED_EVENTS : [];
      const appends = [
        ...seed.map((event) => ({
          ...event,
          metadata: metadataFor({ ctx: { ...ctx, reason: SEED_REASON }, now }, seedKey(event)),
        })),
        ...decided.map((event) => ({
          ...event,
          metadata: metadataFor({ ctx, now }, partitionKey),
        })),
      ];
      await tx.appendToStream<CatalogEvent>(CATALOG_STREAM_ID, appends, {
        expectedVersion: version,
      });
      return view(decided.reduce(evolveCatalog, state));
    });
  }
}

const seedKey = (event: CatalogEvent): string =>
  event.type === 'UsefulnessClassDefined' ? event.data.className : CATALOG_STREAM_ID;
