// The use-case catalog and its usefulness classes: one stream (`usecase-catalog`). Types only.
import type { Command } from '../shared/command';

/**
 * What a class may draw from a unit's allocation. `allowed` may carry a cap (the class's reserved +
 * committed stays within a share of the allocation) and a shedding level (no new reservation
 * takes the unit's utilisation above it: discretionary uses are shed first under scarcity).
 */
export type ClassRule =
  | { kind: 'allowed'; capShareBasisPoints?: number; shedAboveUtilisationBasisPoints?: number }
  | { kind: 'prohibited' };

export interface UsefulnessClass {
  className: string;
  description: string;
  rule: ClassRule;
}

export type CatalogEvent =
  | { type: 'UsefulnessClassDefined'; data: UsefulnessClass }
  | { type: 'UsefulnessClassRuleChanged'; data: { className: string; rule: ClassRule } }
  | {
      type: 'UseCaseRegistered';
      data: { useCase: string; className: string; description: string };
    }
  | {
      type: 'UseCaseReclassified';
      data: { useCase: string; fromClassName: string; toClassName: string };
    }
  | { type: 'UseCaseRetired'; data: { useCase: string } };

export type CatalogCommand =
  | Command<'DefineUsefulnessClass', UsefulnessClass>
  | Command<'ChangeClassRule', { className: string; rule: ClassRule }>
  | Command<'RegisterUseCase', { useCase: string; className: string; description: string }>
  | Command<'ReclassifyUseCase', { useCase: string; className: string }>
  | Command<'RetireUseCase', { useCase: string }>;

export interface UseCaseRecord {
  useCase: string;
  className: string;
  description: string;
  retired: boolean;
}

export interface CatalogState {
  classes: Record<string, UsefulnessClass>;
  /** Definition order: the order classes are listed and shed in the docs. */
  classOrder: string[];
  useCases: Record<string, UseCaseRecord>;
  useCaseCount: number;
}

/** What a reservation needs to know about its use case. */
export interface ResolvedUseCase {
  useCase: string;
  className: string;
  rule: ClassRule;
}
