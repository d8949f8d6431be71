import { EXAMPLE_ADMIN_API_KEY } from '../auth/api-key';
import { EnvVar } from './env-var.decorator';
import { ProcessConfig } from './process-config';
import {
  ApiKeyVar,
  HostPortListVar,
  IntegerVar,
  OneOfVar,
  PatternVar,
  PostgresUrlVar,
} from './env-validators';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

/**
 * What every service reads. Each app extends it in apps/<app>/src/config.ts and sets its own
 * defaults for `port`, `databaseSchema` and `kafkaClientId` (a property left undefined here is
 * required unless the subclass gives it a value).
 */
export abstract class ServiceConfig extends ProcessConfig {
  @EnvVar({
    name: 'NODE_ENV',
    description:
      'Runtime environment. The services behave alike in each; libraries such as Express tune on it.',
    example: 'production',
  })
  @OneOfVar(NODE_ENVIRONMENTS)
  nodeEnvironment: NodeEnvironment = 'development';

  @EnvVar({ name: 'PORT', description: 'TCP port of the HTTP API.', example: '3001' })
  @IntegerVar(1, 65535)
  port!: number;

  @EnvVar({
    name: 'DATABASE_URL',
    description: 'PostgreSQL connection URL (user, password, host, port, database).',
    example: 'postgres://plafond:secret@127.0.0.1:5432/plafond',
    secret: true,
  })
  @PostgresUrlVar()
  databaseUrl!: string;

  @EnvVar({
    name: 'DATABASE_SCHEMA',
    description:
      'PostgreSQL schema that holds this service’s tables. `npm run migrate` migrates the ' +
      'default names; change it only together with how migrations run.',
    example: 'allocation',
  })
  @PatternVar(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL identifier (a-z, 0-9, _; at most 63)')
  databaseSchema!: string;

  @EnvVar({
    name: 'DATABASE_POOL_MAX',
    description: 'Largest number of PostgreSQL connections this process opens.',
    example: '10',
  })
  @IntegerVar(1, 200)
  databasePoolMax = 10;

  @EnvVar({
    name: 'DATABASE_CONNECT_TIMEOUT_MS',
    description:
      'How long a request waits for a free pool connection before it is refused ' +
      '503 SERVICE.BUSY (with Retry-After); bounds how long requests queue for the database.',
    example: '5000',
  })
  @IntegerVar(10, 120_000)
  databaseConnectTimeoutMs = 5000;

  @EnvVar({
    name: 'KAFKA_BROKERS',
    description: 'Kafka bootstrap brokers, comma-separated `host:port`.',
    example: '127.0.0.1:9092',
  })
  @HostPortListVar()
  kafkaBrokers!: readonly string[];

  @EnvVar({
    name: 'KAFKA_CLIENT_ID',
    description: 'Kafka client id, shown in broker logs and quotas.',
    example: 'plafond-allocation',
  })
  @PatternVar(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-" (at most 100)')
  kafkaClientId!: string;

  @EnvVar({
    name: 'KAFKA_TOPIC_PREFIX',
    description:
      'Prepended to every topic name, so several environments (or test runs) share a cluster.',
    example: 'staging.',
  })
  @PatternVar(/^[A-Za-z0-9._-]{0,100}$/, 'empty or letters, digits, ".", "_" or "-" (at most 100)')
  kafkaTopicPrefix = '';

  @EnvVar({
    name: 'KAFKA_SESSION_TIMEOUT_MS',
    description:
      'How long the broker waits for a silent consumer (a crashed process) before it hands its ' +
      'partitions to the rest of the group; heartbeats go every third of it, at most every 3 s. ' +
      'Lower recovers faster after a crash, higher rides out long pauses.',
    example: '30000',
  })
  @IntegerVar(6000, 300_000)
  kafkaSessionTimeoutMs = 30_000;

  @EnvVar({
    name: 'ADMIN_API_KEY',
    description:
      'An admin API key (`plf_<keyId>_<secret>`) installed at start as the `bootstrap-admin` ' +
      'key, to create the other keys. Replacing or unsetting it revokes the previous one at the ' +
      'next start. How to generate one: docs/access-control.md.',
    example: EXAMPLE_ADMIN_API_KEY,
    secret: true,
    optional: true,
  })
  @ApiKeyVar()
  adminApiKey?: string;
}
