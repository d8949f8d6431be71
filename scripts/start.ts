// `npm start`: the whole system on this machine, in the foreground.
//   1. Settings: ALLOCATION_PORT, INGESTION_PORT, BILLING_PORT, KAFKA_PORT and each service's
//      own configuration are validated before anything starts.
//   2. Kafka: KAFKA_BROKERS if set; otherwise a local broker on 127.0.0.1:KAFKA_PORT (default
//      9092, `scripts/kafka.sh start`), stopped again on exit if this script started it.
//   3. PostgreSQL: DATABASE_URL if set; otherwise postgres://postgres@127.0.0.1:5432/plafond,
//      creating the database when missing.
//   4. Migrations (as `npm run migrate`) and topic provisioning (as the kafka-init job), with
//      KAFKA_TOPIC_PREFIX.
//   5. The three services as child processes, output prefixed with their name, each awaited on
//      /health/ready. Ctrl-C, SIGTERM or SIGHUP stops them gracefully, once, and exits when they
//      have (0 when all stopped cleanly). If this script dies, they stop on their own.
// Code is in scripts/start/.
import { say } from './start/infrastructure';
import { readStartSettings, StartSettings } from './start/settings';
import { Supervisor } from './start/supervisor';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function readyHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function main(): Promise<number> {
  let settings: StartSettings;
  try {
    settings = readStartSettings(process.env);
  } catch (error) {
    say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const supervisor = new Supervisor(settings, readyHost(process.env.HOST));
  for (const signal of STOP_SIGNALS) process.on(signal, () => supervisor.requestStop(signal));
  process.on('exit', () => supervisor.terminateAll());
  return supervisor.run();
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
