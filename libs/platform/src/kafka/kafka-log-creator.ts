import { logCreator, logLevel } from 'kafkajs';
import { LogLevel } from '../config/service-config';
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

/** Routes kafkajs's own log lines into our JSON logger, one context per kafkajs namespace. */
export function kafkaLogCreator(logger: JsonLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      logger.write(fromKafka[level] ?? 'info', message, fields, `Kafka.${namespace}`);
    };
}
