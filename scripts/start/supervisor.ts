// The life of `npm start`: prepare, spawn, wait, then one stop whatever triggered it (a signal,
// a service that died, a failed step) — services first, then the local broker if started here.
import { TOPIC_CATALOG } from '@plafond/contracts';
import {
  formatLogLineForHumans,
  formatProvisionReport,
  JsonLogger,
  provisionTopics,
} from '@plafond/platform';
import { migrateAll } from '../migrate';
import {
  ensureDatabase,
  ensureKafka,
  explainDatabaseError,
  explainKafkaError,
  runKafkaScript,
  say,
} from './infrastructure';
import { Running, spawnService, stopServices, StopRequested, waitUntilReady } from './services';
import { StartSettings } from './settings';

export class Supervisor {
  private readonly running: Running[] = [];
  private kafkaStarted = false;
  /** Aborted once: on the first stop signal, or when a service exits on its own. */
  private readonly halt = new AbortController();
  private unexpectedExit = false;

  constructor(
    private readonly settings: StartSettings,
    private readonly host: string,
  ) {}

  requestStop(signal: NodeJS.Signals): void {
    if (this.halt.signal.aborted) {
      say(`${signal}: already stopping`);
      return;
    }
    say(`${signal}: stopping`);
    this.halt.abort();
  }

  /** For a process that exits without going through run(): the services stop on their own. */
  terminateAll(): void {
    for (const service of this.running) {
      if (service.exit === undefined) service.child.kill('SIGTERM');
    }
  }

  /** Resolves with the exit code once everything this script started has stopped. */
  async run(): Promise<number> {
    let failed = false;
    try {
      await this.startAll();
      await new Promise((resolve) => this.halt.signal.addEventListener('abort', resolve));
    } catch (error) {
      if (!(error instanceof StopRequested)) {
        say(`start failed: ${error instanceof Error ? error.message : String(error)}`);
        failed = true;
      }
    }
    if (this.running.length > 0) say('stopping the services');
    const clean = await stopServices(this.running);
    if (this.kafkaStarted) {
      say('stopping the local Kafka broker started by npm start');
      runKafkaScript('stop', process.env);
    }
    return failed || this.unexpectedExit || !clean ? 1 : 0;
  }

  /** Between steps that cannot be interrupted: a stop asked for meanwhile ends start-up here. */
  private checkpoint(): void {
    if (this.halt.signal.aborted) throw new StopRequested();
  }

  private async prepare(): Promise<void> {
    const kafka = await ensureKafka(this.settings);
    this.kafkaStarted = kafka.startedHere;
    this.checkpoint();
    const databaseUrl = await ensureDatabase(this.settings);
    this.checkpoint();
    const logger = new JsonLogger({
      service: 'start',
      write: (line) => say(formatLogLineForHumans(line)),
    });
    await migrateAll(databaseUrl, logger).catch((error: unknown) => {
      throw explainDatabaseError(databaseUrl, error);
    });
    this.checkpoint();
    const report = await provisionTopics(kafka.brokers, TOPIC_CATALOG, {
      prefix: this.settings.topicPrefix,
    }).catch((error: unknown) => {
      throw explainKafkaError(kafka.brokers, error);
    });
    for (const line of formatProvisionReport(report)) say(`topics: ${line}`);
    this.checkpoint();
  }

  private async startAll(): Promise<void> {
    await this.prepare();
    for (const settings of this.settings.services) {
      const service = spawnService(settings);
      this.running.push(service);
      void service.exited.then(() => {
        if (this.halt.signal.aborted) return;
        const { code, signal } = service.exit ?? { code: null, signal: null };
        say(`${service.name} exited unexpectedly (code ${code}, signal ${signal})`);
        this.unexpectedExit = true;
        this.halt.abort();
      });
    }
    await Promise.all(
      this.running.map((service) => waitUntilReady(service, this.host, this.halt.signal)),
    );
    say('ready:');
    for (const { name, port } of this.running) {
      const base = `http://${this.host}:${port}`;
      say(`  ${name.padEnd(10)} ${base}  (docs: ${base}/docs)`);
    }
    const { adminKey } = this.settings;
    say(
      adminKey.origin === 'ADMIN_API_KEY'
        ? 'admin API key: the one in ADMIN_API_KEY'
        : `admin API key: ${adminKey.key}  (kept in ${adminKey.origin}; set ADMIN_API_KEY to use your own)`,
    );
    say('press Ctrl-C to stop');
  }
}
