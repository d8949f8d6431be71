import { logLevel } from 'kafkajs';
import { JsonLogger } from '../logging/json-logger';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log-creator';

describe('kafkaLogCreator', () => {
  it('turns a kafkajs entry into one of our lines, with its fields and namespace', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ service: 'ingestion', write: (line) => lines.push(line) });
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: '2027-01-01T00:00:00.000Z',
        logger: 'kafkajs',
        message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        broker: '127.0.0.1:9092',
        clientId: 'plafond-ingestion',
      },
    });
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: expect.any(String),
      level: 'error',
      service: 'ingestion',
      context: 'Kafka.Connection',
      msg: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      broker: '127.0.0.1:9092',
      clientId: 'plafond-ingestion',
    });
  });

  it('logs the broker states kafkajs retries by itself as warnings, real failures as errors', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ service: 'billing', write: (line) => lines.push(line) });
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    const entry = (namespace: string, message: string, fields: Record<string, unknown> = {}) =>
      log({
        namespace,
        level: logLevel.ERROR,
        label: 'ERROR',
        log: { timestamp: '2027-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...fields },
      });
    entry('Connection', 'Response GroupCoordinator(key: 10, version: 2)', {
      error: 'The group coordinator is not available',
    });
    entry(
      'Consumer',
      "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
    );
    entry('Consumer', 'Restarting the consumer in 300ms', { retryTime: 300 });
    entry('Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: Topic authorization failed');
    entry('Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(lines.map((line) => (JSON.parse(line) as { level: string }).level)).toEqual([
      'warn',
      'warn',
      'warn',
      'error',
      'error',
    ]);
  });

  it('asks kafkajs for no more than LOG_LEVEL keeps', () => {
    expect(kafkaLogLevel('fatal')).toBe(logLevel.ERROR);
    expect(kafkaLogLevel('warn')).toBe(logLevel.WARN);
    expect(kafkaLogLevel('info')).toBe(logLevel.INFO);
    expect(kafkaLogLevel('verbose')).toBe(logLevel.DEBUG);
  });
});
