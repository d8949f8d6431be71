/**
 * One problem found in an input, addressed by a dotted path from the root of what was validated
 * (`data.inputTokens`, `headers.ce_id`, `[3].source`). `code` is stable and machine-readable;
 * `message` is for humans and may change.
 */
export interface ContractIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Outcome of a validator that must not throw for flow control (batch endpoints report per item). */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ContractIssue[] };

/**
 * Joins a parent path and a child segment. Indexes render as `[n]`, and names that are not
 * plain identifiers as `["gen_ai.usage.input_tokens"]`, so a path never reads ambiguously.
 */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  if (child.length === 0) return parent;
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(child)) return `${parent}[${JSON.stringify(child)}]`;
  return parent.length === 0 ? child : `${parent}.${child}`;
}

/** A plain JSON-style object (not an array, not a class instance such as Buffer or Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}
