// A class rule applied to one reservation. Pure arithmetic on the account's figures, so the
// account decider can call it without knowing the catalog.
import { DOMAIN_ERROR_CODES, refuse } from '../shared/domain-error';
import { BASIS_POINTS_FULL, invalid, requireBasisPoints, requireId } from '../shared/values';
import type { ClassRule } from './catalog.types';

export interface ClassRuleFigures {
  allocated: bigint;
  /** Reserved + committed within the allocation, before this reservation. */
  usedInAllocation: bigint;
  /** Reserved + committed by this class, before this reservation. */
  classUsed: bigint;
  available: bigint;
  amount: bigint;
}

export function validateClassRule(rule: ClassRule, field = 'rule'): ClassRule {
  switch (rule?.kind) {
    case 'prohibited':
      return { kind: 'prohibited' };
    case 'allowed': {
      const checked: Extract<ClassRule, { kind: 'allowed' }> = { kind: 'allowed' };
      if (rule.capShareBasisPoints !== undefined)
        checked.capShareBasisPoints = requireBasisPoints(
          rule.capShareBasisPoints,
          `${field}.capShareBasisPoints`,
        );
      if (rule.shedAboveUtilisationBasisPoints !== undefined)
        checked.shedAboveUtilisationBasisPoints = requireBasisPoints(
          rule.shedAboveUtilisationBasisPoints,
          `${field}.shedAboveUtilisationBasisPoints`,
        );
      return checked;
    }
    default:
      return invalid(`${field}.kind`, 'must be allowed or prohibited');
  }
}

/** `share` of `allocated` in basis points, rounded down: a cap never grants more than stated. */
const shareOf = (allocated: bigint, basisPoints: number): bigint =>
  (allocated * BigInt(basisPoints)) / BigInt(BASIS_POINTS_FULL);

/** Throws the refusal of the class rule, or returns when the rule lets the reservation through. */
export function checkClassRule(
  className: string,
  rule: ClassRule,
  figures: ClassRuleFigures,
): void {
  requireId(className, 'usefulnessClass.className');
  const common = {
    className,
    requested: figures.amount.toString(),
    available: figures.available.toString(),
  };
  if (rule.kind === 'prohibited')
    refuse(DOMAIN_ERROR_CODES.useCaseProhibited, `class "${className}" is prohibited`, common);
  if (rule.capShareBasisPoints !== undefined) {
    const cap = shareOf(figures.allocated, rule.capShareBasisPoints);
    if (figures.classUsed + figures.amount > cap) {
      const classAvailable = cap > figures.classUsed ? cap - figures.classUsed : 0n;
      refuse(DOMAIN_ERROR_CODES.classCapExceeded, `class "${className}" would pass its cap`, {
        ...common,
        capShareBasisPoints: rule.capShareBasisPoints,
        cap: cap.toString(),
        classUsed: figures.classUsed.toString(),
        classAvailable: classAvailable.toString(),
      });
    }
  }
  if (rule.shedAboveUtilisationBasisPoints !== undefined) {
    const level = shareOf(figures.allocated, rule.shedAboveUtilisationBasisPoints);
    if (figures.usedInAllocation + figures.amount > level)
      refuse(
        DOMAIN_ERROR_CODES.shedAboveUtilisation,
        `class "${className}" is shed above ${rule.shedAboveUtilisationBasisPoints} bp utilisation`,
        {
          ...common,
          shedAboveUtilisationBasisPoints: rule.shedAboveUtilisationBasisPoints,
          usedInAllocation: figures.usedInAllocation.toString(),
          allocated: figures.allocated.toString(),
        },
      );
  }
}
