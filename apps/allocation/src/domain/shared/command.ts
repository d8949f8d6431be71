// Commands are imperative, discriminated by `type`; time arrives on the command (emmett's
// `metadata.now`) so a decider never reads a clock and a replayed command decides the same way.

export interface CommandMetadata {
  now: Date;
}

export interface Command<Type extends string, Data> {
  type: Type;
  data: Data;
  metadata: CommandMetadata;
}

/** Exhaustiveness check for `switch` over a discriminated union. */
export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
