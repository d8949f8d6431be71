// `npm start`: the whole system on this machine, in the foreground. The mode follows the
// environment (scripts/start/mode.ts):
//   - neither DATABASE_URL nor KAFKA_BROKERS: EMBEDDED, one process (scripts/embedded/host.ts):
//     PGlite on PLAFOND_DATA_DIR (default .plafond), the three schemas migrated, allocation,
//     ingestion and billing as three apps of this process on ALLOCATION_PORT, INGESTION_PORT,
//     BILLING_PORT, their consumers reading each other's ledgers in place (no broker). The first
//     run seeds a demo organisation (unless PLAFOND_DEMO=false) and prints the keys once.
//   - DATABASE_URL only: the same one process on that PostgreSQL.
//   - both (or `--distributed`, i.e. `npm run start:distributed`): the supervisor
//     (scripts/start/supervisor.ts): Kafka (KAFKA_BROKERS, or the local broker on KAFKA_PORT,
//     started and stopped here), PostgreSQL (DATABASE_URL, or postgres://postgres@127.0.0.1:5432/plafond,
//     created when missing), migrations, topics, then the three services as child processes,
//     output prefixed with their name, each awaited on /health/ready.
//   - KAFKA_BROKERS only: refused (exit 1): the services need the PostgreSQL they share.
// Every setting is validated before anything starts. Ctrl-C, SIGTERM or SIGHUP stops everything
// gracefully, once, and exits 0 when all stopped cleanly.
import { EmbeddedHost } from './embedded/host';
import { readEmbeddedSettings } from './embedded/settings';
import { say } from './start/infrastructure';
import { chooseStartMode, StartMode } from './start/mode';
import { readStartSettings } from './start/settings';
import { Supervisor } from './start/supervisor';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function readyHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

interface Runner {
  requestStop(signal: NodeJS.Signals): void;
  run(): Promise<number>;
}

function runnerFor(mode: StartMode, env: NodeJS.ProcessEnv): Runner {
  if (mode.kind === 'distributed') {
    const supervisor = new Supervisor(readStartSettings(env), readyHost(env.HOST));
    process.on('exit', () => supervisor.terminateAll());
    return supervisor;
  }
  // A crash of the one process: one line, then exit 1 (PGlite's files survive a killed process).
  const fatal = (what: string) => (error: unknown) => {
    say(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
  return new EmbeddedHost(
    readEmbeddedSettings(env, process.cwd()),
    mode.kind === 'database' ? mode : { kind: 'embedded' },
  );
}

async function main(): Promise<number> {
  let runner: Runner;
  try {
    runner = runnerFor(chooseStartMode(process.env, process.argv.slice(2)), process.env);
  } catch (error) {
    say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  for (const signal of STOP_SIGNALS) process.on(signal, () => runner.requestStop(signal));
  return runner.run();
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
