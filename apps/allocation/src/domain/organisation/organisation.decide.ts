import type { Decider } from '@plafond/ledger';
import { unreachable } from '../shared/command';
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { DOMAIN_LIMITS } from '../shared/limits';
import { lookup } from '../shared/records';
import { invalid, requireCalendarDate, requireId, requireNow, requireText } from '../shared/values';
import { validateAttributes } from './attributes';
import { evolveOrganisation, initialOrganisationState } from './organisation.evolve';
import { depthOf, isInSubtree, requireUnit, subtreeHeight } from './organisation.queries';
import type {
  OrganisationCommand,
  OrganisationEvent,
  OrganisationState,
  UnitRecord,
} from './organisation.types';

type Decided = OrganisationEvent[];

function requireActive(state: OrganisationState, unitId: string): UnitRecord {
  const unit = requireUnit(state, unitId);
  if (unit.archived)
    refuse(DOMAIN_ERROR_CODES.unitArchived, `unit "${unitId}" is archived`, { unitId });
  return unit;
}

function createUnit(
  state: OrganisationState,
  data: { unitId: string; parentId: string | null; name: string },
): Decided {
  const unitId = requireId(data.unitId, 'unitId');
  const name = requireText(data.name, 'name', DOMAIN_LIMITS.nameLength);
  const parentId = data.parentId === null ? null : requireId(data.parentId, 'parentId');
  const existing = lookup(state.units, unitId);
  if (existing !== undefined) {
    if (existing.parentId === parentId && existing.name === name) return []; // a retry
    refuse(DOMAIN_ERROR_CODES.unitAlreadyExists, `unit "${unitId}" already exists`, { unitId });
  }
  if (state.unitCount >= DOMAIN_LIMITS.units)
    refuse(DOMAIN_ERROR_CODES.unitLimitExceeded, 'too many units', { limit: DOMAIN_LIMITS.units });
  if (parentId !== null) {
    requireActive(state, parentId);
    if (depthOf(state, parentId) + 1 > DOMAIN_LIMITS.treeDepth)
      refuse(DOMAIN_ERROR_CODES.unitTooDeep, 'the tree would be too deep', {
        unitId,
        limit: DOMAIN_LIMITS.treeDepth,
      });
  }
  return [{ type: 'UnitCreated', data: { unitId, parentId, name } }];
}

function moveUnit(
  state: OrganisationState,
  data: { unitId: string; newParentId: string | null },
): Decided {
  const unit = requireActive(state, data.unitId);
  const toParentId = data.newParentId;
  if (unit.parentId === toParentId) return [];
  if (toParentId !== null) {
    requireActive(state, toParentId);
    if (isInSubtree(state, unit.unitId, toParentId))
      refuse(DOMAIN_ERROR_CODES.unitCycle, 'a unit cannot move below itself', {
        unitId: unit.unitId,
        newParentId: toParentId,
      });
    if (
      depthOf(state, toParentId) + 1 + subtreeHeight(state, unit.unitId) >
      DOMAIN_LIMITS.treeDepth
    )
      refuse(DOMAIN_ERROR_CODES.unitTooDeep, 'the tree would be too deep', {
        unitId: unit.unitId,
        limit: DOMAIN_LIMITS.treeDepth,
      });
  }
  return [
    { type: 'UnitMoved', data: { unitId: unit.unitId, fromParentId: unit.parentId, toParentId } },
  ];
}

function archiveUnit(
  state: OrganisationState,
  data: { unitId: string; openAllocationCount: number },
): Decided {
  const unit = requireUnit(state, data.unitId);
  if (unit.archived) return [];
  if (!Number.isSafeInteger(data.openAllocationCount) || data.openAllocationCount < 0)
    invalid('openAllocationCount', 'must be a non-negative integer');
  if (data.openAllocationCount > 0)
    refuse(
      DOMAIN_ERROR_CODES.unitHasOpenAllocations,
      'the unit holds allocations in open budgets',
      {
        unitId: unit.unitId,
        openAllocationCount: data.openAllocationCount,
      },
    );
  const active = unit.children.filter((childId) => !requireUnit(state, childId).archived);
  if (active.length > 0)
    refuse(DOMAIN_ERROR_CODES.unitHasActiveChildren, 'archive or move the children first', {
      unitId: unit.unitId,
      children: active.slice(0, 10),
    });
  return [{ type: 'UnitArchived', data: { unitId: unit.unitId } }];
}

export function decideOrganisation(
  command: OrganisationCommand,
  state: OrganisationState,
): Decided {
  requireNow(command.metadata.now);
  switch (command.type) {
    case 'CreateUnit':
      return createUnit(state, command.data);
    case 'RenameUnit': {
      const unit = requireActive(state, command.data.unitId);
      const name = requireText(command.data.name, 'name', DOMAIN_LIMITS.nameLength);
      if (name === unit.name) return [];
      return [
        { type: 'UnitRenamed', data: { unitId: unit.unitId, name, previousName: unit.name } },
      ];
    }
    case 'MoveUnit':
      return moveUnit(state, command.data);
    case 'ArchiveUnit':
      return archiveUnit(state, command.data);
    case 'SetUnitAttributes': {
      const unit = requireActive(state, command.data.unitId);
      const effectiveFrom = requireCalendarDate(command.data.effectiveFrom, 'effectiveFrom');
      if (unit.attributeVersions.length >= DOMAIN_LIMITS.attributeVersionsPerUnit)
        refuse(DOMAIN_ERROR_CODES.unitLimitExceeded, 'too many attribute versions', {
          unitId: unit.unitId,
          limit: DOMAIN_LIMITS.attributeVersionsPerUnit,
        });
      const attributes = validateAttributes(command.data.attributes);
      return [
        { type: 'UnitAttributesSet', data: { unitId: unit.unitId, effectiveFrom, attributes } },
      ];
    }
    default:
      return unreachable(command, 'organisation command');
  }
}

export const organisationDecider: Decider<
  OrganisationState,
  OrganisationCommand,
  OrganisationEvent
> = {
  decide: decideOrganisation,
  evolve: evolveOrganisation,
  initialState: initialOrganisationState,
};
