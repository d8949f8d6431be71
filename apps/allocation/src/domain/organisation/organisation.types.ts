// The unit tree of one organisation: a single stream (`organisation`), because a move must see the
// whole tree to refuse a cycle. Types only.
import type { ScaledDecimal, WeightValue } from '../criteria';
import type { Command } from '../shared/command';

/** A weight in event data: a decimal integer string, or an exact decimal with string value. */
export type StoredWeight = string | { value: string; scale: number };

export type OrganisationEvent =
  | { type: 'UnitCreated'; data: { unitId: string; parentId: string | null; name: string } }
  | { type: 'UnitRenamed'; data: { unitId: string; name: string; previousName: string } }
  | {
      type: 'UnitMoved';
      data: { unitId: string; fromParentId: string | null; toParentId: string | null };
    }
  | { type: 'UnitArchived'; data: { unitId: string } }
  | {
      type: 'UnitAttributesSet';
      data: {
        unitId: string;
        /** Calendar date YYYY-MM-DD from which these values hold. */
        effectiveFrom: string;
        /** Named weights; null removes the attribute from that date on. */
        attributes: Record<string, StoredWeight | null>;
      };
    };

export type AttributeInput = bigint | ScaledDecimal | null;

export type OrganisationCommand =
  | Command<'CreateUnit', { unitId: string; parentId: string | null; name: string }>
  | Command<'RenameUnit', { unitId: string; name: string }>
  | Command<'MoveUnit', { unitId: string; newParentId: string | null }>
  | Command<
      'ArchiveUnit',
      {
        unitId: string;
        /** Open budgets holding an allocation for this unit, read by the caller from its read model. */
        openAllocationCount: number;
      }
    >
  | Command<
      'SetUnitAttributes',
      {
        unitId: string;
        effectiveFrom: string;
        attributes: Readonly<Record<string, AttributeInput>>;
      }
    >;

export interface AttributeVersion {
  effectiveFrom: string;
  values: Record<string, WeightValue | null>;
}

export interface UnitRecord {
  unitId: string;
  parentId: string | null;
  name: string;
  archived: boolean;
  /** In creation/move order; archived children stay listed. */
  children: string[];
  /** In event order; `attributesAsOf` resolves by date, later events winning ties. */
  attributeVersions: AttributeVersion[];
}

export interface OrganisationState {
  units: Record<string, UnitRecord>;
  unitCount: number;
  roots: string[];
}
