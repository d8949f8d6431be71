import {
  parseDecimalToMicro,
  parseQuantity,
  QuantityError,
  type QuantityOptions,
} from '../quantity';
import { joinPath, type ContractIssue } from '../validation/issue';
import type { Rule } from '../validation/rule';
import { USAGE_ISSUE } from './usage-rules';

/** A field's value and where it was found (an alias keeps its own path in issues). */
export interface LocatedValue {
  readonly value: unknown;
  readonly path: string;
}

const MAX_FIELDS = 64;

export interface FieldCatalog {
  readonly fields: readonly string[];
  /** Alternative names: returns the canonical field, or undefined. */
  readonly alias?: (name: string) => string | undefined;
  /** Names with this prefix that are not aliases are ignored instead of rejected. */
  readonly ignoredPrefix?: string;
}

/**
 * Collects an object's fields under their canonical names, reporting unknown names and
 * aliases that disagree with each other. Null counts as absent, as in JSON-style APIs.
 */
export function locateFields(
  input: Record<string, unknown>,
  base: string,
  catalog: FieldCatalog,
  issues: ContractIssue[],
): Map<string, LocatedValue> {
  const located = new Map<string, LocatedValue>();
  const names = Object.keys(input);
  if (names.length > MAX_FIELDS) {
    issues.push({
      path: base,
      code: USAGE_ISSUE.tooManyFields,
      message: `has ${names.length} fields; at most ${MAX_FIELDS}`,
    });
    return located;
  }
  for (const name of names) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    const path = joinPath(base, name);
    const field = catalog.fields.includes(name) ? name : catalog.alias?.(name);
    if (field === undefined) {
      const ignored = catalog.ignoredPrefix !== undefined && name.startsWith(catalog.ignoredPrefix);
      if (!ignored)
        issues.push({ path, code: USAGE_ISSUE.unknownField, message: 'is not a known field' });
      continue;
    }
    const previous = located.get(field);
    if (previous === undefined) {
      located.set(field, { value, path });
    } else if (previous.value !== value) {
      issues.push({
        path,
        code: USAGE_ISSUE.conflictingFields,
        message: `disagrees with ${previous.path}`,
      });
    }
  }
  return located;
}

/** Reads located fields through Rules and quantity parsers, collecting issues as it goes. */
export class FieldReader {
  constructor(
    private readonly fields: ReadonlyMap<string, LocatedValue>,
    private readonly base: string,
    readonly issues: ContractIssue[],
  ) {}

  has(name: string): boolean {
    return this.fields.has(name);
  }

  pathOf(name: string): string {
    return this.fields.get(name)?.path ?? joinPath(this.base, name);
  }

  /** The field as a string when the rule accepts it (rules only accept strings). */
  text(name: string, rule: Rule): string | undefined {
    const value = this.fields.get(name)?.value;
    const failure = rule(value, {});
    if (failure !== undefined) {
      this.issues.push({ path: this.pathOf(name), ...failure });
      return undefined;
    }
    return typeof value === 'string' ? value : undefined;
  }

  quantity(name: string, options: Omit<QuantityOptions, 'field'>, required = false) {
    return this.parse(name, required, (value, field) =>
      parseQuantity(value, { ...options, field }),
    );
  }

  decimalMicro(name: string, options: Omit<QuantityOptions, 'field'>, required = false) {
    return this.parse(name, required, (value, field) =>
      parseDecimalToMicro(value, { ...options, field }),
    );
  }

  private parse(
    name: string,
    required: boolean,
    parse: (value: unknown, field: string) => bigint,
  ): bigint | undefined {
    const located = this.fields.get(name);
    const path = this.pathOf(name);
    if (located === undefined) {
      if (required)
        this.issues.push({ path, code: USAGE_ISSUE.missingField, message: 'is required' });
      return undefined;
    }
    try {
      return parse(located.value, path);
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      this.issues.push({ path, code: error.code, message: error.detail });
      return undefined;
    }
  }
}
