import { ValidateBy, validateSync, type ValidationError } from 'class-validator';
import { joinPath, type ContractIssue } from './issue';

/** A failed check: the stable code plus a human reason. */
export interface RuleFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * One property's whole check, presence included, so that a property yields exactly one issue.
 * `record` is the object under validation, for the rare cross-field rule.
 */
export type Rule = (value: unknown, record: Record<string, unknown>) => RuleFailure | undefined;

const rulesByConstraint = new Map<string, Rule>();

/**
 * class-validator decorator running a Rule. The same Rule functions back the pure validators,
 * so a DTO checked by Nest's ValidationPipe and a payload checked by a validator agree.
 */
export function SatisfiesRule(name: string, rule: Rule): PropertyDecorator {
  const constraint = `plafond:${name}`;
  const existing = rulesByConstraint.get(constraint);
  if (existing !== undefined && existing !== rule) {
    throw new Error(`rule name ${constraint} is registered twice with different checks`);
  }
  rulesByConstraint.set(constraint, rule);
  return ValidateBy({
    name: constraint,
    validator: {
      validate: (value: unknown, args) => rule(value, asRecord(args?.object)) === undefined,
      defaultMessage: (args) => rule(args?.value, asRecord(args?.object))?.message ?? 'invalid',
    },
  });
}

/**
 * Runs class-validator on a decorated instance and returns its findings as issues.
 * Properties are not required to be decorated with SatisfiesRule; other constraints map to the
 * generic `fallbackCode`.
 */
export function collectIssues(
  instance: object,
  basePath: string,
  fallbackCode: string,
): ContractIssue[] {
  const errors = validateSync(instance, {
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  return errors.flatMap((error) => toIssues(error, instance, basePath, fallbackCode));
}

function toIssues(
  error: ValidationError,
  instance: object,
  basePath: string,
  fallbackCode: string,
): ContractIssue[] {
  const path = joinPath(basePath, error.property);
  return Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
    const failure = rulesByConstraint.get(constraint)?.(error.value, asRecord(instance));
    return failure === undefined
      ? { path, code: fallbackCode, message }
      : { path, code: failure.code, message: failure.message };
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
