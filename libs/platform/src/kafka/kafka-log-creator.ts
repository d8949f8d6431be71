import { logCreator, logLevel } from 'kafkajs';
import { LogLevel } from '../config/process-config';
import { JsonLogger } from '../logging/json-logger';

const fromKafka: Readonly<Record<number, LogLevel>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The kafkajs level that lets through what LOG_LEVEL would keep, and no more. */
export function kafkaLogLevel(level: LogLevel): logLevel {
  switch (level) {
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
      return logLevel.WARN;
    case 'info':
      return logLevel.INFO;
    case 'debug':
    case 'verbose':
      return logLevel.DEBUG;
    default: {
      const unreachable: never = level;
      throw new Error(`unknown log level ${String(unreachable)}`);
    }
  }
}

/**
 * Broker states kafkajs logs as errors although it retries them by itself: a coordinator still
 * loading (a fresh broker, a restart) or moving, a leader election, a rebalance, and the consumer
 * restart that follows. They are logged as `warn`, so that an `error` line from Kafka means
 * something that did not recover on its own.
 */
const TRANSIENT_BROKER_STATES = [
  /coordinator is not available/i,
  /coordinator is loading/i,
  /not the correct coordinator/i,
  /no leader for this topic-partition/i,
  /leader is not available/i,
  /rebalance in progress/i,
  /^Restarting the consumer in \d+ms$/,
];

function isTransient(message: string, fields: Record<string, unknown>): boolean {
  const texts = [message, typeof fields.error === 'string' ? fields.error : ''];
  return texts.some((text) => TRANSIENT_BROKER_STATES.some((state) => state.test(text)));
}

/** Routes kafkajs's own log lines into our JSON logger, one context per kafkajs namespace. */
export function kafkaLogCreator(logger: JsonLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const mapped = fromKafka[level] ?? 'info';
      const ours = mapped === 'error' && isTransient(message, fields) ? 'warn' : mapped;
      logger.write(ours, message, fields, `Kafka.${namespace}`);
    };
}
