import 'reflect-metadata';

export interface EnvVarOptions {
  /** The environment variable, e.g. `DATABASE_URL`. */
  readonly name: string;
  /** One or two sentences for the configuration table. */
  readonly description: string;
  readonly example?: string;
  /** Never echoed in errors or logs (connection strings with passwords, keys). */
  readonly secret?: boolean;
  /** Allowed to stay unset without a default (the property is then `undefined`). */
  readonly optional?: boolean;
}

export interface EnvVarEntry extends EnvVarOptions {
  readonly property: string;
}

const ENV_VARS = Symbol('plafond:env-vars');
const envVarName = /^[A-Z][A-Z0-9_]*$/;

/**
 * Binds a config property to an environment variable. Pair it with class-validator decorators
 * (and the helpers in env-validators.ts); `loadConfig` reads, converts and validates, and
 * `describeConfig` lists the variables for docs and deployment checks.
 */
export function EnvVar(options: EnvVarOptions): PropertyDecorator {
  if (!envVarName.test(options.name)) {
    throw new Error(`@EnvVar name must be UPPER_SNAKE_CASE, got ${JSON.stringify(options.name)}`);
  }
  return (target, property) => {
    if (typeof property !== 'string') throw new Error('@EnvVar needs a string property name');
    const owner = target.constructor;
    const own = (Reflect.getOwnMetadata(ENV_VARS, owner) as EnvVarEntry[] | undefined) ?? [];
    Reflect.defineMetadata(ENV_VARS, [...own, { ...options, property }], owner);
  };
}

const maxInheritanceDepth = 16;

/**
 * Every variable of a config class, base classes first, in declaration order. A subclass that
 * re-decorates a property replaces the base entry in place.
 */
export function envVarsOf(configClass: abstract new () => object): EnvVarEntry[] {
  const chain: object[] = [];
  let current: unknown = configClass;
  for (let depth = 0; typeof current === 'function' && current !== Function.prototype; depth += 1) {
    if (depth >= maxInheritanceDepth) throw new Error('config class hierarchy is too deep');
    chain.unshift(current);
    current = Object.getPrototypeOf(current);
  }
  const byProperty = new Map<string, EnvVarEntry>();
  for (const klass of chain) {
    const own = (Reflect.getOwnMetadata(ENV_VARS, klass) as EnvVarEntry[] | undefined) ?? [];
    for (const entry of own) byProperty.set(entry.property, entry);
  }
  const entries = [...byProperty.values()];
  const names = new Set(entries.map((entry) => entry.name));
  if (names.size !== entries.length) {
    throw new Error(`${configClass.name} binds one environment variable to two properties`);
  }
  return entries;
}
