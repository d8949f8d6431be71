// The field reader behind parseFactorSet: each method checks one value, records an issue with
// its path and code when it is wrong, and returns undefined so reading can go on.
import { FACTORSET_ISSUE, type FactorSetIssue, type FactorSetIssueCode } from './errors';
import {
  compareRatio,
  decimalToRatio,
  isDecimal,
  parseDecimal,
  ratio,
  type Decimal,
} from './exact';

/** Lower case, starts with a letter or digit; room for `org/model:tag@rev` style names. */
export const FACTOR_KEY_PATTERN = /^[a-z0-9][a-z0-9._:/@+-]{0,127}$/;
export const VERSION_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

export const FACTOR_SET_LIMITS = {
  jsonChars: 2_000_000,
  models: 2_000,
  regions: 1_000,
  accelerators: 500,
  aliases: 5_000,
  descriptionChars: 2_000,
  sourceChars: 1_000,
  fractionDigits: 12,
  pueFractionDigits: 6,
} as const;

export interface Bounds {
  readonly min: bigint;
  /** The minimum itself is refused (a strictly positive factor). */
  readonly minExclusive?: boolean;
  readonly max: bigint;
  readonly fractionDigits?: number;
}

export const BOUNDS = {
  pue: { min: 0n, max: 10n, fractionDigits: FACTOR_SET_LIMITS.pueFractionDigits },
  gramsCo2ePerKwh: { min: 0n, max: 10_000n },
  watts: { min: 0n, minExclusive: true, max: 100_000n },
  microWhPerToken: { min: 0n, max: 1_000_000_000n },
  latencySeconds: { min: 0n, max: 1_000n },
  serverWatts: { min: 0n, max: 100_000n },
  parametersBillions: { min: 0n, minExclusive: true, max: 100_000n },
} as const satisfies Record<string, Bounds>;
export const MAX_GPUS = 100_000;

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** `a.b`, `a["org/model"]`: a key that is not an identifier is quoted so paths never read ambiguously. */
export function joinFactorPath(parent: string, child: string): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(child)) return `${parent}[${JSON.stringify(child)}]`;
  return parent.length === 0 ? child : `${parent}.${child}`;
}

export class Reader {
  readonly issues: FactorSetIssue[] = [];

  fail(path: string, code: FactorSetIssueCode, message: string): void {
    this.issues.push({ path: path.length === 0 ? '$' : path, code, message });
  }

  /** The object at `path`, reporting fields outside `allowed`; undefined when not an object. */
  object(value: unknown, path: string, allowed: readonly string[]): Json | undefined {
    if (!isObject(value)) {
      this.fail(path, FACTORSET_ISSUE.notAnObject, 'must be a JSON object');
      return undefined;
    }
    for (const name of Object.keys(value)) {
      if (!allowed.includes(name)) {
        this.fail(joinFactorPath(path, name), FACTORSET_ISSUE.unknownField, 'is not a known field');
      }
    }
    return value;
  }

  present(json: Json, name: string, path: string): unknown {
    const value = Object.prototype.hasOwnProperty.call(json, name) ? json[name] : undefined;
    if (value === undefined || value === null) {
      this.fail(joinFactorPath(path, name), FACTORSET_ISSUE.missingField, 'is required');
      return undefined;
    }
    return value;
  }

  /** Reads `json[name]` with `parse`, reporting it missing when required; undefined on any issue. */
  field<T>(
    json: Json,
    name: string,
    path: string,
    required: boolean,
    parse: (raw: unknown, at: string) => T | undefined,
  ): T | undefined {
    const raw = required ? this.present(json, name, path) : this.optional(json, name);
    return raw === undefined ? undefined : parse(raw, joinFactorPath(path, name));
  }

  optional(json: Json, name: string): unknown {
    const value = Object.prototype.hasOwnProperty.call(json, name) ? json[name] : undefined;
    return value === null ? undefined : value;
  }

  string(value: unknown, path: string): string | undefined {
    if (typeof value === 'string') return value;
    this.fail(path, FACTORSET_ISSUE.notAString, 'must be a string');
    return undefined;
  }

  text(value: unknown, path: string, maxChars: number): string | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    if (
      text.length === 0 ||
      text.length > maxChars ||
      text.trim() !== text ||
      /\p{Cc}/u.test(text)
    ) {
      this.fail(
        path,
        FACTORSET_ISSUE.textInvalid,
        `must be 1-${maxChars} characters, without surrounding spaces or control characters`,
      );
      return undefined;
    }
    return text;
  }

  key(value: string, path: string): boolean {
    if (FACTOR_KEY_PATTERN.test(value)) return true;
    this.fail(
      path,
      FACTORSET_ISSUE.keyInvalid,
      `"${value.slice(0, 140)}" must be 1-128 lower-case characters: a-z 0-9 . _ : / @ + -, starting with a letter or digit`,
    );
    return false;
  }

  decimal(value: unknown, path: string, bounds: Bounds): Decimal | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    const digits = bounds.fractionDigits ?? FACTOR_SET_LIMITS.fractionDigits;
    const parsed = parseDecimal(text, digits);
    if (!isDecimal(parsed)) {
      const reason =
        parsed === 'too-precise'
          ? `has more than ${digits} decimals`
          : 'must be a plain decimal string such as "81.3": no sign, exponent or leading zeros';
      this.fail(path, FACTORSET_ISSUE.decimalInvalid, reason);
      return undefined;
    }
    const exact = decimalToRatio(parsed);
    const belowMin = bounds.minExclusive
      ? compareRatio(exact, ratio(bounds.min)) <= 0
      : compareRatio(exact, ratio(bounds.min)) < 0;
    if (belowMin || compareRatio(exact, ratio(bounds.max)) > 0) {
      const low = bounds.minExclusive ? `greater than ${bounds.min}` : `at least ${bounds.min}`;
      this.fail(path, FACTORSET_ISSUE.outOfRange, `must be ${low} and at most ${bounds.max}`);
      return undefined;
    }
    return parsed;
  }

  instant(value: unknown, path: string): string | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    const millis = INSTANT_PATTERN.test(text) ? Date.parse(text) : Number.NaN;
    const canonical = Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
    // Date.parse rolls 2026-02-30 over to March: compare the calendar fields back.
    if (canonical === undefined || canonical.slice(0, 19) !== text.slice(0, 19)) {
      this.fail(
        path,
        FACTORSET_ISSUE.timestampInvalid,
        'must be a UTC instant such as 2026-01-01T00:00:00Z (at most 3 decimals of seconds)',
      );
      return undefined;
    }
    return canonical;
  }

  /** Entries of a table object, keys checked; undefined when not an object or too large. */
  table(value: unknown, path: string, limit: number): [string, unknown, string][] | undefined {
    if (!isObject(value)) {
      this.fail(path, FACTORSET_ISSUE.notAnObject, 'must be a JSON object');
      return undefined;
    }
    const names = Object.keys(value);
    if (names.length > limit) {
      this.fail(
        path,
        FACTORSET_ISSUE.tooManyEntries,
        `has ${names.length} entries; at most ${limit}`,
      );
      return undefined;
    }
    const entries: [string, unknown, string][] = [];
    for (const name of names) {
      const at = joinFactorPath(path, name);
      if (this.key(name, at)) entries.push([name, value[name], at]);
    }
    return entries;
  }

  source(json: Json, path: string): { source?: string } {
    const value = this.optional(json, 'source');
    if (value === undefined) return {};
    const source = this.text(value, joinFactorPath(path, 'source'), FACTOR_SET_LIMITS.sourceChars);
    return source === undefined ? {} : { source };
  }
}
