/**
 * Renders one JSON log line for a person at a terminal (`npm start`): time, level, context,
 * message, then the extra fields as key=value. Lines that are not our JSON pass through as is.
 */
const coreKeys = new Set(['time', 'level', 'service', 'context', 'msg']);
const maxFieldLength = 200;

function fieldText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > maxFieldLength ? `${text.slice(0, maxFieldLength)}…` : text;
}

export function formatLogLineForHumans(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.msg !== 'string' || typeof entry.level !== 'string') return line;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const context = typeof entry.context === 'string' ? ` ${entry.context}:` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !coreKeys.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const tail = fields.length > 0 ? `  ${fields.join(' ')}` : '';
  return `${time} ${entry.level.toUpperCase().padEnd(5)}${context} ${entry.msg}${tail}`;
}
