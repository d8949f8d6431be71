import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { PlafondError, PlatformErrorCode } from '../errors/plafond-error';
import { EnvVarEntry, envVarsOf } from './env-var.decorator';

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** The configuration cannot be used; the message names every bad variable and why. */
export class ConfigError extends PlafondError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      PlatformErrorCode.configInvalid,
      `Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
      { problems },
    );
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

const maxEchoedLength = 80;

function echo(entry: EnvVarEntry, raw: string): string {
  if (entry.secret) return '';
  const shown = raw.length > maxEchoedLength ? `${raw.slice(0, maxEchoedLength)}…` : raw;
  return ` (got ${JSON.stringify(shown)})`;
}

function constraintMessages(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {});
  const nested = (error.children ?? []).flatMap(constraintMessages);
  return [...new Set([...own, ...nested])];
}

/**
 * Reads, converts and validates a config class from the environment. Defaults are the class's
 * property initialisers; unknown variables are ignored. Throws one ConfigError listing every
 * problem, so an operator fixes them all in one go. The result is frozen.
 */
export function loadConfig<T extends object>(
  configClass: new () => T,
  env: Environment = process.env,
): T {
  const entries = envVarsOf(configClass);
  const defaults = new configClass() as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const input: Record<string, string> = {};
  for (const entry of entries) {
    const raw = env[entry.name];
    const missing = raw === undefined || (raw === '' && defaults[entry.property] === undefined);
    if (!missing) input[entry.property] = raw;
    else if (defaults[entry.property] === undefined && !entry.optional) {
      problems.push({ variable: entry.name, message: 'is required' });
    }
  }
  const config = plainToInstance(configClass, input);
  const errors = validateSync(config, { skipUndefinedProperties: true, forbidUnknownValues: true });
  const byProperty = new Map(errors.map((error) => [error.property, error]));
  for (const entry of entries) {
    const error = byProperty.get(entry.property);
    const raw = input[entry.property];
    if (error === undefined || raw === undefined) continue;
    const message = constraintMessages(error).join(' and ');
    problems.push({ variable: entry.name, message: `${message}${echo(entry, raw)}` });
  }
  if (problems.length > 0) {
    const order = new Map(entries.map((entry, index) => [entry.name, index]));
    problems.sort((a, b) => (order.get(a.variable) ?? 0) - (order.get(b.variable) ?? 0));
    throw new ConfigError(problems);
  }
  return Object.freeze(config);
}

/** The loaded values by variable name, secrets replaced, for a start-up log line. */
export function describeConfigValues(config: object): Record<string, unknown> {
  const values = config as Record<string, unknown>;
  const entries = envVarsOf(config.constructor as new () => object);
  return Object.fromEntries(
    entries.map((entry) => [entry.name, entry.secret ? '[redacted]' : values[entry.property]]),
  );
}
