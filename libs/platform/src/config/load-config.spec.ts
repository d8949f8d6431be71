import fc from 'fast-check';
import { ConfigError, describeConfigValues, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

/** What each app does in apps/<app>/src/config.ts (see their config.spec.ts). */
class ExampleConfig extends ServiceConfig {
  override port = 3001;
  override databaseSchema = 'example';
  override kafkaClientId = 'plafond-example';
}

const valid = {
  DATABASE_URL: 'postgres://plafond:hunter2@db.internal:5432/plafond',
  KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
};

function problemFor(env: Record<string, string | undefined>): string {
  try {
    loadConfig(ExampleConfig, { ...valid, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('applies the service defaults and converts types', () => {
    const config = loadConfig(ExampleConfig, valid);
    expect(config).toBeInstanceOf(ExampleConfig);
    expect(config).toMatchObject({
      nodeEnvironment: 'development',
      port: 3001,
      host: '127.0.0.1',
      databaseSchema: 'example',
      databasePoolMax: 10,
      kafkaBrokers: ['kafka-0:9092', 'kafka-1:9092'],
      kafkaClientId: 'plafond-example',
      kafkaTopicPrefix: '',
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes every variable from the environment', () => {
    const config = loadConfig(ExampleConfig, {
      ...valid,
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_SCHEMA: 'example_blue',
      DATABASE_POOL_MAX: '25',
      KAFKA_CLIENT_ID: 'alloc-1',
      KAFKA_TOPIC_PREFIX: 'staging.',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '30000',
    });
    expect(config).toMatchObject({
      nodeEnvironment: 'production',
      port: 8080,
      host: '0.0.0.0',
      databaseSchema: 'example_blue',
      databasePoolMax: 25,
      kafkaClientId: 'alloc-1',
      kafkaTopicPrefix: 'staging.',
      logLevel: 'debug',
      shutdownTimeoutMs: 30_000,
    });
  });

  it('names each bad variable and why, in one message', () => {
    expect(problemFor({ PORT: 'abc', DATABASE_URL: undefined })).toBe(
      'Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc"); ' +
        'DATABASE_URL is required',
    );
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer between 1 and 65535 (got "abc")'],
    ['PORT', '0', 'PORT must be an integer between 1 and 65535 (got "0")'],
    ['PORT', '65536', 'PORT must be an integer between 1 and 65535 (got "65536")'],
    ['PORT', '1.5', 'PORT must be an integer between 1 and 65535 (got "1.5")'],
    ['PORT', ' 3001', 'PORT must be an integer between 1 and 65535 (got " 3001")'],
    ['PORT', '', 'PORT must be an integer between 1 and 65535 (got "")'],
    ['NODE_ENV', 'prod', 'NODE_ENV must be one of development, test, production (got "prod")'],
    ['HOST', 'my host', 'HOST must be a host name or an IP address to listen on (got "my host")'],
    ['DATABASE_URL', undefined, 'DATABASE_URL is required'],
    ['DATABASE_URL', '', 'DATABASE_URL is required'],
    ['DATABASE_SCHEMA', 'Alloc-1', 'DATABASE_SCHEMA must be a lowercase SQL identifier'],
    ['DATABASE_SCHEMA', 'x;drop', 'DATABASE_SCHEMA must be a lowercase SQL identifier'],
    ['DATABASE_POOL_MAX', '0', 'DATABASE_POOL_MAX must be an integer between 1 and 200 (got "0")'],
    ['KAFKA_BROKERS', undefined, 'KAFKA_BROKERS is required'],
    ['KAFKA_BROKERS', 'kafka', 'KAFKA_BROKERS must be a comma-separated list of host:port'],
    ['KAFKA_BROKERS', 'a:9092,,b:9092', 'KAFKA_BROKERS must be a comma-separated list'],
    ['KAFKA_BROKERS', 'a:70000', 'KAFKA_BROKERS must be a comma-separated list'],
    ['KAFKA_CLIENT_ID', 'a b', 'KAFKA_CLIENT_ID must be letters, digits'],
    ['KAFKA_TOPIC_PREFIX', 'a/b', 'KAFKA_TOPIC_PREFIX must be empty or letters, digits'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, verbose'],
    ['SHUTDOWN_TIMEOUT_MS', '10', 'SHUTDOWN_TIMEOUT_MS must be an integer between 100 and 600000'],
  ])('rejects %s=%j naming the variable', (variable, value, expected) => {
    const message = problemFor({ [variable]: value });
    expect(message).toContain(expected);
    expect(message.startsWith('Invalid configuration: ')).toBe(true);
  });

  it('never echoes a secret value', () => {
    const message = problemFor({ DATABASE_URL: 'mysql://plafond:hunter2@db/plafond' });
    expect(message).toBe(
      'Invalid configuration: DATABASE_URL must be a PostgreSQL URL such as ' +
        'postgres://user:password@host:5432/database',
    );
    expect(message).not.toContain('hunter2');
  });

  it('reads ADMIN_API_KEY when it is a whole API key, and never echoes it', () => {
    const key = 'plf_k7d2m9x4q1ab_Zq2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo';
    expect(loadConfig(ExampleConfig, valid).adminApiKey).toBeUndefined();
    expect(loadConfig(ExampleConfig, { ...valid, ADMIN_API_KEY: '' }).adminApiKey).toBeUndefined();
    expect(loadConfig(ExampleConfig, { ...valid, ADMIN_API_KEY: key }).adminApiKey).toBe(key);
    for (const bad of [key.slice(0, -1), `${key} `, key.replace('plf_', 'sk_'), 'hunter2hunter2']) {
      const message = problemFor({ ADMIN_API_KEY: bad });
      expect(message).toBe(
        'Invalid configuration: ADMIN_API_KEY must be an API key ' +
          'plf_<12 characters a-z 0-9>_<43 characters base64url>',
      );
    }
    const values = describeConfigValues(
      loadConfig(ExampleConfig, { ...valid, ADMIN_API_KEY: key }),
    );
    expect(values.ADMIN_API_KEY).toBe('[redacted]');
    expect(JSON.stringify(values)).not.toContain('Zq2-7wEf');
  });

  it('reports every problem with a stable code and a list', () => {
    let caught: unknown;
    try {
      loadConfig(ExampleConfig, { PORT: 'x', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('CONFIG.INVALID');
    // Declaration order, base classes first (LOG_LEVEL is ProcessConfig's).
    expect(error.problems.map((problem) => problem.variable)).toEqual([
      'LOG_LEVEL',
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
    ]);
  });

  it('accepts exactly the decimal integers in range as PORT', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) => {
        expect(loadConfig(ExampleConfig, { ...valid, PORT: String(port) }).port).toBe(port);
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((text) => !/^[0-9]+$/.test(text)),
        (text) => {
          expect(problemFor({ PORT: text })).toContain('PORT must be an integer');
        },
      ),
    );
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig(ExampleConfig, { ...valid, UNRELATED: '§' })).not.toThrow();
  });
});

describe('describeConfigValues', () => {
  it('lists the loaded values by variable and hides secrets', () => {
    const values = describeConfigValues(loadConfig(ExampleConfig, valid));
    expect(values).toMatchObject({
      PORT: 3001,
      DATABASE_URL: '[redacted]',
      KAFKA_BROKERS: ['kafka-0:9092', 'kafka-1:9092'],
    });
    expect(JSON.stringify(values)).not.toContain('hunter2');
  });
});
