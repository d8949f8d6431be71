// The unit tree: one stream (`organisation`), written under an exclusive advisory lock so tree
// changes queue instead of racing, and so no allocation round (which holds it shared) sees the
// tree change under it.
import { Inject, Injectable } from '@nestjs/common';
import {
  LedgerIdempotencyConflictError,
  PostgresEventStore,
  type AsOf,
  type EventToAppend,
} from '@plafond/ledger';
import {
  decideOrganisation,
  DOMAIN_ERROR_CODES,
  DomainError,
  evolveOrganisation,
  ORGANISATION_STREAM_ID,
  subtree,
  type OrganisationCommand,
  type OrganisationEvent,
  type OrganisationState,
  type SubtreeNode,
  type UnitRecord,
} from '../domain';
import { parseAttributeValues } from './attributes-input';
import { CLOCK, type Clock } from './clock';
import { derivedEventId, metadataFor, type CommandContext } from './command-context';
import { openAllocationCount } from './index-tables';
import { loadOrganisation } from './streams';
import { lockStreams } from './stream-locks';
import { runUnitOfWork } from './unit-of-work';
import { unitView, type UnitView } from './views';

export interface CreateUnitInput {
  unitId: string;
  parentId: string | null;
  name: string;
  attributes?: { effectiveFrom: string; values: Record<string, string | null> };
}

type Decision = (
  state: OrganisationState,
  now: Date,
  tx: { openAllocationCount(unitId: string): Promise<number> },
) => Decided | Promise<Decided>;

interface Decided {
  events: OrganisationEvent[];
  eventIds?: string[];
}

function requireUnitRecord(state: OrganisationState, unitId: string): UnitRecord {
  const unit = Object.hasOwn(state.units, unitId) ? state.units[unitId] : undefined;
  if (unit === undefined)
    throw new DomainError(DOMAIN_ERROR_CODES.unitNotFound, `unit "${unitId}" not found`, {
      unitId,
    });
  return unit;
}

const command = <Type extends OrganisationCommand['type']>(
  type: Type,
  data: Extract<OrganisationCommand, { type: Type }>['data'],
  now: Date,
) => ({ type, data, metadata: { now } }) as Extract<OrganisationCommand, { type: Type }>;

@Injectable()
export class OrganisationService {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  createUnit(ctx: CommandContext, input: CreateUnitInput): Promise<UnitView> {
    const attributes = input.attributes;
    return this.write(ctx, input.unitId, (state, now) => {
      const created = decideOrganisation(
        command(
          'CreateUnit',
          { unitId: input.unitId, parentId: input.parentId, name: input.name },
          now,
        ),
        state,
      );
      if (attributes === undefined) return { events: created };
      const set = decideOrganisation(
        command(
          'SetUnitAttributes',
          {
            unitId: input.unitId,
            effectiveFrom: attributes.effectiveFrom,
            attributes: parseAttributeValues(attributes.values),
          },
          now,
        ),
        created.reduce(evolveOrganisation, state),
      );
      // Both ids fixed by the unit id: a retry (UnitCreated decided away) replays the attributes.
      const ids = [
        ...(created.length > 0
          ? [derivedEventId(ORGANISATION_STREAM_ID, 'unit', input.unitId)]
          : []),
        derivedEventId(ORGANISATION_STREAM_ID, 'unit', input.unitId, 'attributes'),
      ];
      return { events: [...created, ...set], eventIds: ids };
    });
  }

  renameUnit(ctx: CommandContext, unitId: string, name: string): Promise<UnitView> {
    return this.write(ctx, unitId, (state, now) => ({
      events: decideOrganisation(command('RenameUnit', { unitId, name }, now), state),
    }));
  }

  moveUnit(ctx: CommandContext, unitId: string, newParentId: string | null): Promise<UnitView> {
    return this.write(ctx, unitId, (state, now) => ({
      events: decideOrganisation(command('MoveUnit', { unitId, newParentId }, now), state),
    }));
  }

  /** Refused while an open budget holds an account for the unit or has it as perimeter. */
  archiveUnit(ctx: CommandContext, unitId: string): Promise<UnitView> {
    return this.write(ctx, unitId, async (state, now, tx) => {
      requireUnitRecord(state, unitId);
      const count =
        state.units[unitId]?.archived === true ? 0 : await tx.openAllocationCount(unitId);
      return {
        events: decideOrganisation(
          command('ArchiveUnit', { unitId, openAllocationCount: count }, now),
          state,
        ),
      };
    });
  }

  /** Not idempotent by id: repeating it records the same version again, which resolves the same. */
  setAttributes(
    ctx: CommandContext,
    unitId: string,
    effectiveFrom: string,
    values: Record<string, string | null>,
  ): Promise<UnitView> {
    return this.write(ctx, unitId, (state, now) => ({
      events: decideOrganisation(
        command(
          'SetUnitAttributes',
          { unitId, effectiveFrom, attributes: parseAttributeValues(values) },
          now,
        ),
        state,
      ),
    }));
  }

  async organisation(asOf?: AsOf): Promise<OrganisationState> {
    return (await loadOrganisation(this.store, asOf)).state;
  }

  async unit(unitId: string, asOf?: AsOf): Promise<UnitView> {
    return unitView(requireUnitRecord(await this.organisation(asOf), unitId));
  }

  async subtree(
    unitId: string,
    options: { includeArchived?: boolean; asOf?: AsOf } = {},
  ): Promise<SubtreeNode> {
    const state = await this.organisation(options.asOf);
    requireUnitRecord(state, unitId);
    return subtree(state, unitId, { includeArchived: options.includeArchived === true });
  }

  private write(ctx: CommandContext, unitId: string, decide: Decision): Promise<UnitView> {
    const schema = this.store.schema;
    return runUnitOfWork(this.store, async (tx) => {
      await lockStreams(tx.sql, schema, [ORGANISATION_STREAM_ID]);
      const { state, version } = await loadOrganisation(tx);
      const now = this.clock();
      const { events, eventIds } = await decide(state, now, {
        openAllocationCount: (id) => openAllocationCount(tx.sql, schema, id),
      });
      if (events.length === 0) return unitView(requireUnitRecord(state, unitId));
      const metadata = metadataFor({ ctx, now }, unitId);
      const appends = events.map((event, index): EventToAppend<OrganisationEvent> => ({
        ...event,
        metadata,
        ...(eventIds?.[index] === undefined ? {} : { eventId: eventIds[index] }),
      }));
      const appended = await tx
        .appendToStream(ORGANISATION_STREAM_ID, appends, { expectedVersion: version })
        .catch((error: unknown) => {
          // A creation repeated with other attributes: its fixed event ids are taken.
          if (error instanceof LedgerIdempotencyConflictError)
            throw new DomainError(
              DOMAIN_ERROR_CODES.idempotencyConflict,
              `unit "${unitId}" was created with another request`,
              { unitId },
            );
          throw error;
        });
      // A replay of events already stored (a retried creation) changed nothing.
      const after = appended.idempotentReplay ? state : events.reduce(evolveOrganisation, state);
      return unitView(requireUnitRecord(after, unitId));
    });
  }
}
