import { envVarsOf } from './env-var.decorator';

export interface ConfigVariableDescription {
  readonly name: string;
  readonly required: boolean;
  /** The typed default (a port is a number); lists are given comma-separated, as in the environment. */
  readonly default?: string | number | boolean;
  readonly description: string;
  readonly example?: string;
  readonly secret: boolean;
}

function asDefault(value: unknown): string | number | boolean {
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/**
 * Every variable a config class reads, in declaration order (base class first). Used to render
 * the configuration table and to check that compose and Kubernetes set what the code reads.
 */
export function describeConfig(configClass: new () => object): ConfigVariableDescription[] {
  const defaults = new configClass() as Record<string, unknown>;
  return envVarsOf(configClass).map((entry) => {
    const value = defaults[entry.property];
    return {
      name: entry.name,
      required: value === undefined && entry.optional !== true,
      ...(value === undefined ? {} : { default: asDefault(value) }),
      description: entry.description,
      ...(entry.example === undefined ? {} : { example: entry.example }),
      secret: entry.secret === true,
    };
  });
}
