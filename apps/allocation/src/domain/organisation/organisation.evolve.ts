import { invariant } from '../shared/domain-error';
import { lookup, withEntry } from '../shared/records';
import { unreachable } from '../shared/command';
import { readWeight } from './attributes';
import type { OrganisationEvent, OrganisationState, UnitRecord } from './organisation.types';

export const initialOrganisationState = (): OrganisationState => ({
  units: {},
  unitCount: 0,
  roots: [],
});

function unitOf(state: OrganisationState, unitId: string): UnitRecord {
  const unit = lookup(state.units, unitId);
  invariant(unit !== undefined, 'event names an unknown unit', { unitId });
  return unit;
}

function attach(
  state: OrganisationState,
  unitId: string,
  parentId: string | null,
): Pick<OrganisationState, 'units' | 'roots'> {
  if (parentId === null) return { units: state.units, roots: [...state.roots, unitId] };
  const parent = unitOf(state, parentId);
  const units = withEntry(state.units, parentId, {
    ...parent,
    children: [...parent.children, unitId],
  });
  return { units, roots: state.roots };
}

function detach(
  state: OrganisationState,
  unitId: string,
  parentId: string | null,
): OrganisationState {
  if (parentId === null) return { ...state, roots: state.roots.filter((id) => id !== unitId) };
  const parent = unitOf(state, parentId);
  const children = parent.children.filter((id) => id !== unitId);
  return { ...state, units: withEntry(state.units, parentId, { ...parent, children }) };
}

function setUnit(state: OrganisationState, unit: UnitRecord): OrganisationState {
  return { ...state, units: withEntry(state.units, unit.unitId, unit) };
}

export function evolveOrganisation(
  state: OrganisationState,
  event: OrganisationEvent,
): OrganisationState {
  switch (event.type) {
    case 'UnitCreated': {
      const { unitId, parentId, name } = event.data;
      invariant(lookup(state.units, unitId) === undefined, 'unit created twice', { unitId });
      const attached = attach(state, unitId, parentId);
      const unit: UnitRecord = {
        unitId,
        parentId,
        name,
        archived: false,
        children: [],
        attributeVersions: [],
      };
      return {
        unitCount: state.unitCount + 1,
        roots: attached.roots,
        units: withEntry(attached.units, unitId, unit),
      };
    }
    case 'UnitRenamed':
      return setUnit(state, { ...unitOf(state, event.data.unitId), name: event.data.name });
    case 'UnitMoved': {
      const { unitId, fromParentId, toParentId } = event.data;
      const unit = unitOf(state, unitId);
      invariant(unit.parentId === fromParentId, 'move from a parent the unit does not have', {
        unitId,
      });
      const detached = detach(state, unitId, fromParentId);
      const attached = attach(detached, unitId, toParentId);
      return setUnit({ ...detached, ...attached }, { ...unit, parentId: toParentId });
    }
    case 'UnitArchived':
      return setUnit(state, { ...unitOf(state, event.data.unitId), archived: true });
    case 'UnitAttributesSet': {
      const { unitId, effectiveFrom, attributes } = event.data;
      const unit = unitOf(state, unitId);
      const values = Object.fromEntries(
        Object.entries(attributes).map(([name, stored]) => [
          name,
          stored === null ? null : readWeight(stored, `attributes.${name}`),
        ]),
      );
      const attributeVersions = [...unit.attributeVersions, { effectiveFrom, values }];
      return setUnit(state, { ...unit, attributeVersions });
    }
    default:
      return unreachable(event, 'organisation event');
  }
}
