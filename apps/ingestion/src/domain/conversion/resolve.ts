// Finds the factor-set entry for a name an integrator sent (model, region, accelerator), and
// says how it was found, so reports can show how much usage was rated by a fallback.

/**
 * exact: the lower-cased name is a key; alias: it is an alias of a key; prefix: a key (or alias)
 * followed by a separator starts the name (`gpt-4o-2024-08-06` → `gpt-4o`); fallback: the set's
 * default, because the name was absent or unknown.
 */
export type ResolutionHow = 'exact' | 'alias' | 'prefix' | 'fallback';

export interface Resolution {
  /** The name as the event gave it, when it gave one. */
  readonly requested?: string;
  /** The key of the factor-set table that was used. */
  readonly resolved: string;
  readonly how: ResolutionHow;
}

/** Characters that end a version or deployment suffix; `.` is not one (`gpt-4` ≠ `gpt-4.5`). */
const PREFIX_SEPARATORS = new Set(['-', ':', '@', '/']);

export interface ResolveOptions {
  readonly table: ReadonlyMap<string, unknown>;
  readonly aliases: ReadonlyMap<string, string>;
  readonly fallback: string | undefined;
  readonly prefix: boolean;
}

function longestPrefix(name: string, options: ResolveOptions): string | undefined {
  let best: string | undefined;
  for (const candidate of [...options.table.keys(), ...options.aliases.keys()]) {
    if (
      candidate.length >= name.length ||
      (best !== undefined && candidate.length <= best.length)
    ) {
      continue;
    }
    const separator = name.charAt(candidate.length);
    if (PREFIX_SEPARATORS.has(separator) && name.startsWith(candidate)) best = candidate;
  }
  return best;
}

/** The table key a name stands for, or undefined when unknown and the set has no fallback. */
export function resolveName(
  requested: string | undefined,
  options: ResolveOptions,
): Resolution | undefined {
  const asked = requested === undefined ? {} : { requested };
  if (requested !== undefined) {
    const name = requested.trim().toLowerCase();
    if (options.table.has(name)) return { ...asked, resolved: name, how: 'exact' };
    const target = options.aliases.get(name);
    if (target !== undefined) return { ...asked, resolved: target, how: 'alias' };
    const prefix = options.prefix ? longestPrefix(name, options) : undefined;
    if (prefix !== undefined) {
      return { ...asked, resolved: options.aliases.get(prefix) ?? prefix, how: 'prefix' };
    }
  }
  return options.fallback === undefined
    ? undefined
    : { ...asked, resolved: options.fallback, how: 'fallback' };
}
