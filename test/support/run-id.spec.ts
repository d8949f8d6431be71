import {
  RUN_ID_PATTERN,
  databaseName,
  databaseRunPrefix,
  newRunId,
  runStartedAtMs,
  sanitizeLabel,
  topicPrefix,
  topicRunPrefix,
} from './run-id';

describe('run ids and the names derived from them', () => {
  const startedAtMs = Date.UTC(2026, 10, 29, 12, 0, 0);
  const runId = newRunId(startedAtMs);

  it('encode when the run started, so leftovers of a crashed run can be aged', () => {
    expect(runId).toMatch(RUN_ID_PATTERN);
    expect(runStartedAtMs(runId)).toBe(startedAtMs);
    expect(runStartedAtMs('not-a-run-id')).toBeUndefined();
  });

  it('differ between two runs started in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId(startedAtMs)));
    expect(ids.size).toBeGreaterThan(45);
  });

  it('reduce labels to characters legal in database and topic names', () => {
    expect(sanitizeLabel('Ledger: Append/Read')).toBe('ledger_append_read');
    expect(sanitizeLabel('---')).toBe('x');
    expect(sanitizeLabel('a'.repeat(100))).toHaveLength(24);
  });

  it('give each database a name under the run prefix, unique per call and within 63 bytes', () => {
    const first = databaseName(runId, 'a label that is much longer than any sane label would be');
    const second = databaseName(runId, 'a label that is much longer than any sane label would be');
    expect(first.startsWith(databaseRunPrefix(runId))).toBe(true);
    expect(first).not.toBe(second);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(first).toMatch(/^[a-z0-9_]+$/);
  });

  it('give each topic prefix a legal Kafka name under the run prefix, unique per call', () => {
    const first = topicPrefix(runId, 'relay');
    expect(first.startsWith(topicRunPrefix(runId))).toBe(true);
    expect(first).toMatch(/^[a-zA-Z0-9._-]+\.$/);
    expect(topicPrefix(runId, 'relay')).not.toBe(first);
  });
});
