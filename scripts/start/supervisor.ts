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
import { Running, spawnService, stopServices, waitUntilReady } from './services';
import { StartSettings } from './settings';
import { StopSwitch } from './stop-switch';

export class Supervisor {
  private readonly running: Running[] = [];
  private kafkaStarted = false;
  /** Stopped once: on the first stop signal, or when a service exits on its own. */
  private readonly halt = new StopSwitch();
  private unexpectedExit = false;

  constructor(
    private readonly settings: StartSettings,
    private readonly host: string,
  ) {}

  requestStop(signal: NodeJS.Signals): void {
    this.halt.request(signal);
  }

  /** For a process that exits without going through run(): the services stop on their own. */
  terminateAll(): void {
    for (const service of this.running) {
      if (service.exit === undefined) service.child.kill('SIGTERM');
    }
  }

  /** Resolves with the exit code once everything this script started has stopped. */
  async run(): Promise<number> {
    const started = await this.halt.runUntilStopped(() => this.startAll());
    if (this.running.length > 0) say('stopping the services');
    const clean = await stopServices(this.running);
    if (this.kafkaStarted) {
      say('stopping the local Kafka broker started by npm start');
      runKafkaScript('stop', process.env);
    }
    return !started || this.unexpectedExit || !clean ? 1 : 0;
  }

  private async prepare(): Promise<void> {
    const kafka = await ensureKafka(this.settings);
    this.kafkaStarted = kafka.startedHere;
    this.halt.checkpoint();
    const databaseUrl = await ensureDatabase(this.settings);
    this.halt.checkpoint();
    const logger = new JsonLogger({
      service: 'start',
      write: (line) => say(formatLogLineForHumans(line)),
    });
    await migrateAll(databaseUrl, logger).catch((error: unknown) => {
      throw explainDatabaseError(databaseUrl, error);
    });
    this.halt.checkpoint();
    const report = await provisionTopics(kafka.brokers, TOPIC_CATALOG, {
      prefix: this.settings.topicPrefix,
    }).catch((error: unknown) => {
      throw explainKafkaError(kafka.brokers, error);
    });
    for (const line of formatProvisionReport(report)) say(`topics: ${line}`);
    this.halt.checkpoint();
  }

  private async startAll(): Promise<void> {
    await this.prepare();
    for (const settings of this.settings.services) {
      const service = spawnService(settings);
      this.running.push(service);
      void service.exited.then(() => {
        if (this.halt.stopping) return;
        const { code, signal } = service.exit ?? { code: null, signal: null };
        say(`${service.name} exited unexpectedly (code ${code}, signal ${signal})`);
        this.unexpectedExit = true;
        this.halt.trip();
      });
    }
    await Promise.all(
      this.running.map((service) => waitUntilReady(service, this.host, this.halt.signal)),
    );
    say('ready:');
    for (const { name, port } of this.running) {
      const base = `http://${this.host}:${port}`;
      const note = this.settings.services.find((service) => service.name === name)?.note;
      say(`  ${name.padEnd(10)} ${base}  (${note ?? `docs: ${base}/docs`})`);
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
