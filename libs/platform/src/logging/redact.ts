import { scrubApiKeys } from '../auth/api-key';

/**
 * Keeps secrets out of logs. A field is hidden when its name ends like a secret's (password,
 * token, apiKey, authorization, cookie…), compared without case or separators, so `accessToken`
 * and `x-api-key` are hidden while usage counts such as `input_tokens` stay visible. Strings are
 * scrubbed of URL passwords, bearer tokens, Plafond API keys' secrets and `password=…`-style
 * assignments.
 */
export const REDACTED = '[redacted]';

const secretNameEndings = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'credential',
  'credentials',
  'privatekey',
  'databaseurl',
] as const;

/** `password=…`, `apiKey: …` and the like inside free text (error messages, SQL, URLs' queries). */
const secretAssignment =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token|authorization)(\s*[=:]\s*)(?!(?:Bearer|Basic) |\[redacted\])("[^"]*"|'[^']*'|[^\s,;&"']+)/gi;

const maxDepth = 8;
const maxArrayItems = 100;
const maxStringLength = 10_000;

export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return secretNameEndings.some((ending) => normalised.endsWith(ending));
}

export function scrubSecrets(text: string): string {
  const bounded =
    text.length > maxStringLength ? `${text.slice(0, maxStringLength)}…[truncated]` : text;
  const scrubbed = bounded
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, `$1:${REDACTED}@`)
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`)
    .replace(secretAssignment, `$1$2${REDACTED}`);
  // Last, so a key already hidden as a bearer token or an assignment is not scrubbed twice.
  return scrubApiKeys(scrubbed);
}

/** A JSON-safe copy with secrets hidden; cycles, depth and array length are bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  }
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return redact(serializeError(value), depth + 1, seen);
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) {
      const items = value.slice(0, maxArrayItems).map((item) => redact(item, depth + 1, seen));
      return value.length > maxArrayItems
        ? [...items, `[${value.length - maxArrayItems} more]`]
        : items;
    }
    const result: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      result[key] = isSecretKey(key) ? REDACTED : redact(entry, depth + 1, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

export function serializeError(error: Error): Record<string, unknown> {
  const extra = error as Error & { code?: unknown; details?: unknown; cause?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(extra.code === undefined ? {} : { code: extra.code }),
    ...(extra.details === undefined ? {} : { details: extra.details }),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  };
}
