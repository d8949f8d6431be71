// Creates or updates Plafond's Kafka topics from the catalogue in @plafond/contracts: missing
// topics are created, too few partitions raised, retention and cleanup policy set. Idempotent;
// never deletes. Used by `npm run topics:provision`, docker-compose and deploy jobs.
//
//   KAFKA_BROKERS=127.0.0.1:9092 KAFKA_TOPIC_PREFIX= node dist/scripts/provision-topics.js
//
// KAFKA_BROKERS            comma-separated host:port list (default 127.0.0.1:9092)
// KAFKA_TOPIC_PREFIX       prepended to every topic name, e.g. `staging.` (default none)
// KAFKA_REPLICATION_FACTOR replicas per partition (default min(3, brokers in the cluster))
import { TOPIC_CATALOG } from '@plafond/contracts';
import { formatProvisionReport, provisionTopics } from '@plafond/platform';

interface ProvisionSettings {
  readonly brokers: string[];
  readonly prefix: string;
  readonly replicationFactor: number | undefined;
}

class SettingsError extends Error {
  constructor(variable: string, detail: string) {
    super(`CONFIG.INVALID: ${variable} ${detail}`);
  }
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export function readSettings(env: NodeJS.ProcessEnv): ProvisionSettings {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0 || !brokers.every((broker) => BROKER.test(broker))) {
    throw new SettingsError(
      'KAFKA_BROKERS',
      `must be a comma-separated list of host:port, got "${env.KAFKA_BROKERS}"`,
    );
  }
  const prefix = env.KAFKA_TOPIC_PREFIX ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new SettingsError(
      'KAFKA_TOPIC_PREFIX',
      `may only contain letters, digits, '.', '_' and '-', got "${prefix}"`,
    );
  }
  const rawFactor = env.KAFKA_REPLICATION_FACTOR;
  const replicationFactor =
    rawFactor === undefined || rawFactor === '' ? undefined : Number(rawFactor);
  if (
    replicationFactor !== undefined &&
    !(Number.isSafeInteger(replicationFactor) && replicationFactor >= 1)
  ) {
    throw new SettingsError(
      'KAFKA_REPLICATION_FACTOR',
      `must be a positive integer, got "${rawFactor}"`,
    );
  }
  return { brokers, prefix, replicationFactor };
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const target = settings.prefix === '' ? '' : ` with prefix "${settings.prefix}"`;
  process.stdout.write(
    `[topics] provisioning ${TOPIC_CATALOG.length} topics on ${settings.brokers.join(',')}${target}\n`,
  );
  const report = await provisionTopics(settings.brokers, TOPIC_CATALOG, {
    prefix: settings.prefix,
    replicationFactor: settings.replicationFactor,
    clientId: 'plafond-provision-topics',
  });
  for (const line of formatProvisionReport(report)) process.stdout.write(`[topics] ${line}\n`);
  process.stdout.write(
    `[topics] done: ${report.changed ? 'changes applied' : 'nothing to change'}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `[topics] error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
