// A Kafka broker of the fault suite's own, so that it can be stopped, killed and restarted
// mid-stream without touching the shared broker every other suite (and developer) relies on.
// It is scripts/kafka.sh itself, pointed at free ports and a temporary data directory: the jars
// come from the same cache (.kafka/, filled by `scripts/kafka.sh fetch`), and the script's pid
// and lock files live in the data directory, so the two brokers never see each other.
import { freePort } from '@plafond/testing';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repositoryRoot } from '../../processes';
import { fileTail, pidFromFile, runChecked, tieToTestProcess, waitForProcessExit } from './command';

/** A first start formats the storage; a restart replays the logs. Both are seconds here. */
const START_TIMEOUT_SECONDS = 90;
/** The script waits this long for a clean shutdown before it SIGKILLs the broker itself. */
const STOP_TIMEOUT_SECONDS = 30;
const SCRIPT_SLACK_MS = 30_000;
const KILL_BOUND_MS = 10_000;

export interface PrivateKafka {
  /** `127.0.0.1:<port>`, as the services' KAFKA_BROKERS and kafkajs clients take it. */
  readonly brokers: string[];
  readonly port: number;
  readonly dataDir: string;
  /** Starts the broker (again) on the same ports and data; resolves once it answers metadata. */
  start(): Promise<void>;
  /** A clean shutdown (SIGTERM, bounded, SIGKILL past it): the broker's planned restart. */
  stop(): Promise<void>;
  /** SIGKILL: the broker's crash; the next start recovers its logs. */
  kill(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** The broker's pid while it runs. */
  pid(): number | undefined;
  /** The last lines of the broker's own log, for a failure message. */
  logTail(lines?: number): string;
  /** Kills the broker if still running and deletes its data directory. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Starts a single-node KRaft broker on free loopback ports; `label` names its data directory. */
export async function startPrivateKafka(label: string): Promise<PrivateKafka> {
  const dataDir = await mkdtemp(join(tmpdir(), `plafond-kafka-${label}-`));
  const port = await freePort();
  const controllerPort = await freePort();
  const script = join(repositoryRoot, 'scripts', 'kafka.sh');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
    // A second JVM next to the shared broker and the services on a small machine: a test
    // broker holding a few thousand messages needs far less than the script's default.
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
    KAFKA_START_TIMEOUT_SECONDS: String(START_TIMEOUT_SECONDS),
    KAFKA_STOP_TIMEOUT_SECONDS: String(STOP_TIMEOUT_SECONDS),
  };
  const run = (command: 'start' | 'stop', seconds: number) =>
    runChecked('bash', [script, command], {
      cwd: repositoryRoot,
      env,
      timeoutMs: seconds * 1000 + SCRIPT_SLACK_MS,
    });

  const pid = () => pidFromFile(join(dataDir, 'broker.pid'));
  const logTail = (lines = 40) =>
    fileTail(join(dataDir, 'logs', 'server.log'), lines, '(no broker log yet)');
  const kill = async () => {
    const running = pid();
    if (running === undefined) return;
    process.kill(running, 'SIGKILL');
    await waitForProcessExit(running, KILL_BOUND_MS);
  };
  // The broker is a daemon (setsid): killed with the test process even if dispose is not reached.
  const dispose = tieToTestProcess({
    pid,
    exitSignal: 'SIGKILL',
    directory: dataDir,
    shutDown: kill,
  });

  const handle: PrivateKafka = {
    brokers: [`127.0.0.1:${port}`],
    port,
    dataDir,
    start: async () => {
      await run('start', START_TIMEOUT_SECONDS);
    },
    stop: async () => {
      await run('stop', STOP_TIMEOUT_SECONDS);
    },
    kill,
    restart: async () => {
      await run('stop', STOP_TIMEOUT_SECONDS);
      await run('start', START_TIMEOUT_SECONDS);
    },
    pid,
    logTail,
    dispose,
  };
  try {
    await handle.start();
  } catch (error) {
    await handle.dispose();
    throw error;
  }
  return handle;
}
