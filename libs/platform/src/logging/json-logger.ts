import { LoggerService } from '@nestjs/common';
import { LogLevel } from '../config/process-config';
import { currentCorrelationId } from './correlation';
import { redact, scrubSecrets, serializeError } from './redact';

const severity: Readonly<Record<LogLevel, number>> = {
  fatal: 0,
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
  verbose: 5,
};

/** Keys every line carries; extra fields with these names are kept under `fields`. */
const reservedKeys = new Set(['time', 'level', 'service', 'context', 'msg', 'correlationId']);

export type LogFields = Readonly<Record<string, unknown>>;

export interface JsonLoggerOptions {
  readonly service: string;
  readonly level?: LogLevel;
  /** Where a finished line goes (without the newline); stdout by default. */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/**
 * Nest narrates its start-up (every module initialised, every route mapped) at `log` level; those
 * lines go to debug so that info stays a readable account of what the service does.
 */
const frameworkNarration = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's error(message, stack, context) passes a stack trace as a plain string. */
const looksLikeStack = (text: string): boolean => /\n\s+at .+/.test(text);

/**
 * One JSON object per line: time, level, service, context, msg, correlationId, then the extra
 * fields, with secrets redacted. It is Nest's logger too (`new Logger(Context)` ends here), so
 * framework lines are structured like ours. Pass an object as the message to add fields:
 * `logger.log({ msg: 'listening', url }, 'Bootstrap')`.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;
  private readonly writeLine: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly options: JsonLoggerOptions) {
    this.threshold = severity[options.level ?? 'info'];
    this.writeLine = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
  }

  get service(): string {
    return this.options.service;
  }

  isLevelEnabled(level: LogLevel): boolean {
    return severity[level] <= this.threshold;
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    const quiet = typeof context === 'string' && frameworkNarration.has(context);
    this.fromNest(quiet ? 'debug' : 'info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.fromNest('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.fromNest('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.fromNest('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.fromNest('verbose', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.fromNest('fatal', message, optionalParams);
  }

  /** The structured entry point for code outside Nest's Logger (scripts, kafkajs). */
  write(level: LogLevel, msg: string, fields: LogFields = {}, context?: string): void {
    if (!this.isLevelEnabled(level)) return;
    const correlationId = currentCorrelationId();
    const extra = redact(fields) as Record<string, unknown>;
    const entry: Record<string, unknown> = {
      time: this.now().toISOString(),
      level,
      service: this.options.service,
      ...(context === undefined ? {} : { context }),
      msg: scrubSecrets(msg),
      ...(correlationId === undefined ? {} : { correlationId }),
    };
    const collisions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(extra)) {
      if (reservedKeys.has(key)) collisions[key] = value;
      else entry[key] = value;
    }
    if (Object.keys(collisions).length > 0) entry.fields = collisions;
    this.writeLine(JSON.stringify(entry));
  }

  private fromNest(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const rest = [...params];
    let context: string | undefined;
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      const last = rest[rest.length - 1] as string;
      // error(message, stack) with no context: the only string is the stack.
      if (!(level === 'error' && rest.length === 1 && looksLikeStack(last))) {
        context = last;
        rest.pop();
      }
    }
    const fields: Record<string, unknown> = {};
    for (const param of rest) {
      if (typeof param === 'string' && looksLikeStack(param)) fields.stack = param;
      else if (param instanceof Error) fields.err = serializeError(param);
      else if (param !== null && typeof param === 'object') Object.assign(fields, param);
      else if (param !== undefined) fields.params = [...asArray(fields.params), param];
    }
    const { msg, messageFields } = splitMessage(message);
    this.write(level, msg, { ...messageFields, ...fields }, context);
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function splitMessage(message: unknown): { msg: string; messageFields: Record<string, unknown> } {
  if (typeof message === 'string') return { msg: message, messageFields: {} };
  if (message instanceof Error) {
    return { msg: message.message, messageFields: { err: serializeError(message) } };
  }
  if (message !== null && typeof message === 'object' && !Array.isArray(message)) {
    const { msg, message: text, ...rest } = message as Record<string, unknown>;
    const chosen = typeof msg === 'string' ? msg : typeof text === 'string' ? text : '';
    return { msg: chosen, messageFields: rest };
  }
  return { msg: String(message), messageFields: {} };
}
