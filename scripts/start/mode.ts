// Which system `npm start` runs, from the environment (an empty variable counts as unset):
//   neither DATABASE_URL nor KAFKA_BROKERS  → embedded: one process, PGlite on PLAFOND_DATA_DIR,
//                                             consumers reading the ledgers in place (no broker);
//   DATABASE_URL only                       → one process on that PostgreSQL, same transport;
//   both                                    → the supervisor: three processes on PostgreSQL + Kafka;
//   KAFKA_BROKERS only                      → refused: Kafka without a shared PostgreSQL is not a mode.
// `--distributed` (npm run start:distributed) always runs the supervisor, with its local defaults
// (the broker of scripts/kafka.sh, postgres://postgres@127.0.0.1:5432/plafond).
import { nonEmpty, StartSettingsError } from './settings';

export type StartMode =
  | { readonly kind: 'embedded' }
  | { readonly kind: 'database'; readonly databaseUrl: string }
  | { readonly kind: 'distributed' };

export const DISTRIBUTED_FLAG = '--distributed';

export function chooseStartMode(env: NodeJS.ProcessEnv, args: readonly string[]): StartMode {
  const unknown = args.filter((arg) => arg !== DISTRIBUTED_FLAG);
  if (unknown.length > 0) {
    throw new StartSettingsError(
      `unknown argument ${JSON.stringify(unknown[0])}; the only one is ${DISTRIBUTED_FLAG}`,
    );
  }
  if (args.includes(DISTRIBUTED_FLAG)) return { kind: 'distributed' };
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  const brokers = nonEmpty(env.KAFKA_BROKERS);
  if (databaseUrl !== undefined && brokers !== undefined) return { kind: 'distributed' };
  if (brokers !== undefined) {
    throw new StartSettingsError(
      'KAFKA_BROKERS is set but DATABASE_URL is not: the distributed mode needs both (set ' +
        'DATABASE_URL to the PostgreSQL the services share); unset KAFKA_BROKERS to run the ' +
        'embedded mode in one process',
    );
  }
  if (databaseUrl !== undefined) return { kind: 'database', databaseUrl };
  return { kind: 'embedded' };
}
