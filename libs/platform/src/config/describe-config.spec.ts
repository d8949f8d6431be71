import { IsOptional } from 'class-validator';
import { describeConfig } from './describe-config';
import { EnvVar } from './env-var.decorator';
import { IntegerVar, PatternVar } from './env-validators';
import { loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

class ExampleConfig extends ServiceConfig {
  override port = 3009;
  override databaseSchema = 'example';
  override kafkaClientId = 'plafond-example';
}

class ExtendedConfig extends ExampleConfig {
  @EnvVar({
    name: 'BATCH_MAX_ITEMS',
    description: 'Largest batch accepted.',
    example: '500',
  })
  @IntegerVar(1, 10_000)
  batchMaxItems = 1000;

  @EnvVar({ name: 'SIGNING_KEY', description: 'Key for webhooks.', secret: true, optional: true })
  @IsOptional()
  @PatternVar(/^[A-Za-z0-9]{32,}$/, 'at least 32 letters or digits')
  signingKey?: string;
}

describe('describeConfig', () => {
  it('lists the shared variables in declaration order', () => {
    expect(describeConfig(ExampleConfig).map((variable) => variable.name)).toEqual([
      'HOST',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT_MS',
      'NODE_ENV',
      'PORT',
      'DATABASE_URL',
      'DATABASE_SCHEMA',
      'DATABASE_POOL_MAX',
      'DATABASE_CONNECT_TIMEOUT_MS',
      'KAFKA_BROKERS',
      'KAFKA_CLIENT_ID',
      'KAFKA_TOPIC_PREFIX',
      'KAFKA_SESSION_TIMEOUT_MS',
      'ADMIN_API_KEY',
    ]);
  });

  it('says which are required, secret, and what their defaults are', () => {
    const byName = new Map(describeConfig(ExampleConfig).map((entry) => [entry.name, entry]));
    expect(byName.get('DATABASE_URL')).toEqual({
      name: 'DATABASE_URL',
      required: true,
      description: expect.stringContaining('PostgreSQL'),
      example: expect.any(String),
      secret: true,
    });
    expect(byName.get('KAFKA_BROKERS')).toMatchObject({ required: true, secret: false });
    expect(byName.get('KAFKA_BROKERS')).not.toHaveProperty('default');
    expect(byName.get('PORT')).toMatchObject({ required: false, default: 3009, secret: false });
    expect(byName.get('DATABASE_SCHEMA')).toMatchObject({ required: false, default: 'example' });
    expect(byName.get('KAFKA_TOPIC_PREFIX')).toMatchObject({ required: false, default: '' });
    expect(byName.get('HOST')).toMatchObject({ default: '127.0.0.1' });
    expect(byName.get('ADMIN_API_KEY')).toMatchObject({ required: false, secret: true });
    expect(byName.get('ADMIN_API_KEY')).not.toHaveProperty('default');
    for (const entry of byName.values()) expect(entry.description.length).toBeGreaterThan(10);
  });

  it('includes the variables a service adds, optional ones as not required', () => {
    const added = describeConfig(ExtendedConfig).slice(-2);
    expect(added).toEqual([
      {
        name: 'BATCH_MAX_ITEMS',
        required: false,
        default: 1000,
        description: 'Largest batch accepted.',
        example: '500',
        secret: false,
      },
      {
        name: 'SIGNING_KEY',
        required: false,
        description: 'Key for webhooks.',
        secret: true,
      },
    ]);
  });

  it('describes what loadConfig reads', () => {
    const env = {
      DATABASE_URL: 'postgres://localhost/plafond',
      KAFKA_BROKERS: 'localhost:9092',
      BATCH_MAX_ITEMS: '20',
    };
    const config = loadConfig(ExtendedConfig, env);
    expect(config.batchMaxItems).toBe(20);
    expect(config.signingKey).toBeUndefined();
    expect(() => loadConfig(ExtendedConfig, { ...env, SIGNING_KEY: 'short' })).toThrow(
      'Invalid configuration: SIGNING_KEY must be at least 32 letters or digits',
    );
  });
});

describe('@EnvVar', () => {
  it('rejects a name that is not an environment variable name', () => {
    expect(() => EnvVar({ name: 'databaseUrl', description: 'x' })).toThrow('UPPER_SNAKE_CASE');
  });

  it('rejects one variable bound to two properties', () => {
    class Twice extends ExampleConfig {
      @EnvVar({ name: 'PORT', description: 'again' })
      otherPort = 1;
    }
    expect(() => describeConfig(Twice)).toThrow('binds one environment variable to two properties');
  });
});
