// Reads the deployment files as data (no Docker engine, no cluster) for test/deploy/*.spec.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repositoryRoot = join(__dirname, '..', '..');
export const deployDirectory = join(repositoryRoot, 'deploy');

/** The three services, each with the port it listens on everywhere (compose, k8s, defaults). */
export const SERVICES = [
  { service: 'allocation', port: 3001 },
  { service: 'ingestion', port: 3002 },
  { service: 'billing', port: 3003 },
] as const;
export type ServiceName = (typeof SERVICES)[number]['service'];

/**
 * What each one-shot job reads. The scripts have no config class of their own, so their inputs
 * are named once here and every job definition (compose and Kubernetes) is held to them.
 */
export const JOBS = [
  { job: 'migrate', script: 'dist/scripts/migrate.js', environment: ['DATABASE_URL'] },
  {
    job: 'provision-topics',
    script: 'dist/scripts/provision-topics.js',
    environment: ['KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'KAFKA_REPLICATION_FACTOR'],
  },
] as const;

export const serviceEntryPoint = (service: ServiceName): string =>
  `dist/apps/${service}/src/main.js`;

export function readRepositoryFile(path: string): string {
  return readFileSync(join(repositoryRoot, path), 'utf8');
}

const maxDirectoryDepth = 8;

/** Every *.yaml / *.yml file below `directory`, relative to the repository root, sorted. */
export function listYamlFiles(directory: string = deployDirectory, depth = 0): string[] {
  if (depth > maxDirectoryDepth) throw new Error(`deploy tree deeper than ${maxDirectoryDepth}`);
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listYamlFiles(path, depth + 1));
    else if (/\.ya?ml$/.test(entry.name)) files.push(relative(repositoryRoot, path));
  }
  return files.sort();
}

/**
 * All documents of a YAML file. `merge: true` resolves `<<` merge keys as Compose does; any
 * syntax error or warning fails loudly with the file name.
 */
export function parseYamlDocuments(path: string): unknown[] {
  const documents = parseAllDocuments(readRepositoryFile(path), { merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.flatMap((document) => {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) {
      throw new Error(`${path}: ${problems.map((problem) => problem.message).join('; ')}`);
    }
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function parseYamlFile(path: string): unknown {
  const documents = parseYamlDocuments(path);
  if (documents.length !== 1) throw new Error(`${path}: expected one YAML document`);
  return documents[0];
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A YAML scalar as text; a mapping or list where a scalar belongs is an error, not "[object Object]". */
export function scalarText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  throw new Error(`${where}: expected a scalar, found ${JSON.stringify(value)}`);
}

export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected a mapping`);
  return value;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value;
}

export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly command: string[];
  readonly environment: Record<string, string>;
  readonly raw: Record<string, unknown>;
}

/** docker-compose.yml's services, with `environment` normalised to a string map. */
export function loadComposeServices(): Map<string, ComposeService> {
  const compose = asRecord(parseYamlFile('docker-compose.yml'), 'docker-compose.yml');
  const services = asRecord(compose.services, 'docker-compose.yml services');
  const result = new Map<string, ComposeService>();
  for (const [name, value] of Object.entries(services)) {
    const raw = asRecord(value, `compose service ${name}`);
    result.set(name, {
      name,
      image: typeof raw.image === 'string' ? raw.image : undefined,
      command: asArray(raw.command, `${name}.command`).map(String),
      environment: composeEnvironment(raw.environment, name),
      raw,
    });
  }
  return result;
}

/**
 * Compose's interpolation on a host that sets none of the referenced variables: `${NAME:-x}` and
 * `${NAME-x}` give `x`, `${NAME}` gives '', `$$` is a `$`. Only a secret the deployer brings from
 * the shell (ADMIN_API_KEY) is written so, and its fallback is what the checks hold it to.
 */
export function composeInterpolate(text: string): string {
  return text.replace(
    /\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g,
    (match: string, fallback: string | undefined) => (match === '$$' ? '$' : (fallback ?? '')),
  );
}

function composeEnvironment(value: unknown, service: string): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) {
    // List form `KEY=value`; a bare `KEY` would pass the host's value through, which is not
    // an explicit setting.
    return Object.fromEntries(
      value.map((entry) => {
        const text = scalarText(entry, `${service}.environment`);
        const separator = text.indexOf('=');
        if (separator < 0) throw new Error(`${service}: ${text} takes its value from the host`);
        return [text.slice(0, separator), composeInterpolate(text.slice(separator + 1))];
      }),
    );
  }
  const entries = Object.entries(asRecord(value, `${service}.environment`));
  return Object.fromEntries(
    entries.map(([key, entry]) => {
      if (entry === null) throw new Error(`${service}: ${key} takes its value from the host`);
      return [key, composeInterpolate(scalarText(entry, `${service}.environment.${key}`))];
    }),
  );
}

/** Dockerfile instructions with line continuations joined; comments and blank lines dropped. */
export function dockerfileInstructions(): { instruction: string; argument: string }[] {
  const joined = readRepositoryFile('Dockerfile').replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\S+)\s*(.*)$/.exec(line);
      return { instruction: (match?.[1] ?? '').toUpperCase(), argument: match?.[2] ?? '' };
    });
}

/** Parses `--stop-grace-period`-style durations such as `25s`, `1m30s` into milliseconds. */
export function composeDurationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...value.matchAll(/(\d+)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) {
    throw new Error(`not a compose duration: ${value}`);
  }
  return parts.reduce((total, part) => total + Number(part[1]) * (units[part[2] ?? ''] ?? 0), 0);
}
