import { randomBytes } from 'node:crypto';

/**
 * Names a test run owns. Everything a run creates (databases, topics) carries its run id, so
 * concurrent runs on one machine never see each other's data, and teardown can find its leftovers.
 *
 * A run id is the start time in base 36 (8 characters until 2059) and 4 random hex digits, so a
 * later run can also recognise leftovers of a crashed run by their age.
 */
export const RUN_ID_PATTERN = /^[0-9a-z]{8}[0-9a-f]{4}$/;
export const DATABASE_PREFIX = 'plafond_t_';
export const TOPIC_PREFIX = 't-';
/** PostgreSQL truncates identifiers beyond 63 bytes; stay below to keep names exact. */
const MAX_DATABASE_NAME_LENGTH = 63;
const MAX_LABEL_LENGTH = 24;

export function newRunId(nowMs: number = Date.now()): string {
  return nowMs.toString(36).padStart(8, '0') + randomBytes(2).toString('hex');
}

/** The id global setup put in the environment; tests started without it get a fresh one. */
export function currentRunId(): string {
  const fromEnv = process.env.PLAFOND_TEST_RUN_ID;
  if (fromEnv !== undefined && RUN_ID_PATTERN.test(fromEnv)) return fromEnv;
  const generated = newRunId();
  process.env.PLAFOND_TEST_RUN_ID = generated;
  return generated;
}

export function runStartedAtMs(runId: string): number | undefined {
  if (!RUN_ID_PATTERN.test(runId)) return undefined;
  return Number.parseInt(runId.slice(0, 8), 36);
}

/** Lower-case letters, digits and `_` only, so a label is safe in database and topic names. */
export function sanitizeLabel(label: string): string {
  const cleaned = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_LABEL_LENGTH);
  return cleaned === '' ? 'x' : cleaned;
}

function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}

export function databaseRunPrefix(runId: string): string {
  return `${DATABASE_PREFIX}${runId}_`;
}

export function databaseName(runId: string, label: string): string {
  const name = `${databaseRunPrefix(runId)}${sanitizeLabel(label)}_${uniqueSuffix()}`;
  if (name.length > MAX_DATABASE_NAME_LENGTH) throw new Error(`database name too long: ${name}`);
  return name;
}

export function topicRunPrefix(runId: string): string {
  return `${TOPIC_PREFIX}${runId}-`;
}

/** e.g. `t-mi3k2x0a1f2c-ledger_relay-9b1c0e.`; unique per call, even for the same label. */
export function topicPrefix(runId: string, label: string): string {
  return `${topicRunPrefix(runId)}${sanitizeLabel(label)}-${uniqueSuffix()}.`;
}
