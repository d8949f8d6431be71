import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
/** The first start may resolve the broker through Maven; later starts take a few seconds. */
const START_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 60_000;

/** scripts/kafka.sh reads KAFKA_PORT too, so the launcher and this address always agree. */
export function localKafkaBrokers(): string {
  return `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
}

function runKafkaScript(command: 'start' | 'stop', timeoutMs: number): void {
  const result = spawnSync('bash', [resolve(ROOT, 'scripts/kafka.sh'), command], {
    cwd: ROOT,
    // The script reports what it does; let it speak in the test run's own output.
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: timeoutMs,
  });
  if (result.error !== undefined)
    throw new Error(`scripts/kafka.sh ${command} failed: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`scripts/kafka.sh ${command} exited with ${String(result.status)}`);
}

export function startLocalKafka(): void {
  runKafkaScript('start', START_TIMEOUT_MS);
}

export function stopLocalKafka(): void {
  runKafkaScript('stop', STOP_TIMEOUT_MS);
}
