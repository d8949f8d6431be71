// Test-only: the allocation service as it runs in production (its ServiceDefinition, its
// migrations, the platform's HTTP pipeline), on a fresh database and run-unique Kafka topics of
// the real broker — in process, or as `node dist/apps/allocation/src/main.js` processes.
import { TOPICS, topicName } from '@plafond/contracts';
import {
  generateApiKey,
  loadConfig,
  provisionTopics,
  type ServiceDefinition,
} from '@plafond/platform';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { Pool } from 'pg';
import { AllocationConfig } from '../../apps/allocation/src/config';
import { ALLOCATION_SERVICE } from '../../apps/allocation/src/definition';
import {
  baseEnvironment,
  killIfRunning,
  serviceEntryPoint,
  startProcess,
  type RunningProcess,
} from '../e2e/processes';
import {
  migrateService,
  startServiceInProcess,
  waitUntilReady,
  type InProcessApplication,
} from './service-harness';

export const SCHEMA = 'allocation';

/** A database migrated with the service's own migrations, and topics for one test file. */
export interface AllocationInfrastructure {
  database: TestDatabase;
  /** For assertions straight on the tables. */
  pool: Pool;
  /** The environment a service instance needs (admin key included). */
  env: Record<string, string>;
  adminKey: string;
  topics: { allocationEvents: string; usageRecorded: string };
  close(): Promise<void>;
}

export async function prepareAllocationInfrastructure(
  label: string,
  definition: ServiceDefinition<AllocationConfig> = ALLOCATION_SERVICE,
): Promise<AllocationInfrastructure> {
  const database = await createTestDatabase(label);
  await migrateService(database.url, definition, SCHEMA);
  const prefix = uniqueTopicPrefix(label);
  const brokers = kafkaBrokers();
  await provisionTopics(brokers, [TOPICS.allocationEvents, TOPICS.usageRecorded], { prefix });
  const adminKey = generateApiKey().key;
  const pool = new Pool({ connectionString: database.url, max: 3 });
  return {
    database,
    pool,
    adminKey,
    topics: {
      allocationEvents: topicName(TOPICS.allocationEvents, prefix),
      usageRecorded: topicName(TOPICS.usageRecorded, prefix),
    },
    env: {
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: SCHEMA,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: `${prefix}allocation`.slice(0, 100),
      KAFKA_TOPIC_PREFIX: prefix,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'info',
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

export type InProcessService = InProcessApplication;

/** One instance in this process, listening on a free port (real HTTP, real guard and filter). */
export function startInProcess(
  infrastructure: AllocationInfrastructure,
  env: Record<string, string> = {},
  definition: ServiceDefinition<AllocationConfig> = ALLOCATION_SERVICE,
): Promise<InProcessService> {
  const config = loadConfig(AllocationConfig, { ...infrastructure.env, ...env });
  return startServiceInProcess('allocation', definition, config, infrastructure.adminKey);
}

export interface ServiceProcess {
  baseUrl: string;
  running: RunningProcess;
  stop(): Promise<void>;
}

/** One instance as a real process of the built service (`npm run build` first). */
export async function startProcessInstance(
  infrastructure: AllocationInfrastructure,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const running = startProcess(serviceEntryPoint('allocation'), {
    ...baseEnvironment(),
    // Where the dependencies are when they are not in the work tree (NODE_PATH is standard).
    ...(process.env.NODE_PATH === undefined ? {} : { NODE_PATH: process.env.NODE_PATH }),
    ...infrastructure.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(baseUrl, infrastructure.adminKey, 'allocation', () =>
      [...running.stdout, ...running.stderr].slice(-20).join('\n'),
    );
  } catch (error) {
    await killIfRunning(running);
    throw error;
  }
  return {
    baseUrl,
    running,
    async stop() {
      if (running.child.exitCode !== null || running.child.signalCode !== null) return;
      running.child.kill('SIGTERM');
      const exit = await Promise.race([
        running.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000)),
      ]);
      if (exit === 'timeout') await killIfRunning(running);
    },
  };
}

/** A minimal JSON client over fetch: real HTTP, answers parsed, nothing thrown on 4xx/5xx. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export function client(baseUrl: string, key?: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? {} : JSON.parse(text)) as T,
      headers: response.headers,
    };
  };
  return {
    get: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) =>
      call<T>('GET', path, undefined, headers),
    post: <T = Record<string, unknown>>(
      path: string,
      body: unknown = {},
      headers?: Record<string, string>,
    ) => call<T>('POST', path, body, headers),
    put: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T = Record<string, unknown>>(path: string, body: unknown) =>
      call<T>('PATCH', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  };
}

export type Client = ReturnType<typeof client>;

/** A new API key of a role through the admin endpoint. */
export async function createKey(
  admin: Client,
  name: string,
  role: string,
  scopeUnitId?: string,
): Promise<string> {
  const created = await admin.post<{ key: string }>('/v1/api-keys', {
    name,
    role,
    ...(scopeUnitId === undefined ? {} : { scopeUnitId }),
  });
  if (created.status !== 201) {
    throw new Error(
      `could not create a ${role} key: ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  return created.body.key;
}

/** A test file's allocation service: its infrastructure, one instance in process, and clients. */
export interface AllocationTestService {
  infrastructure: AllocationInfrastructure;
  service: InProcessService;
  /** The bootstrap admin key's client. */
  admin: Client;
  /** No key at all. */
  anonymous: Client;
  /** A client of `key` (none: anonymous). */
  client(key?: string): Client;
  /** A client of a new key of `role`, created by the admin. */
  clientWithNewKey(name: string, role: string, scopeUnitId?: string): Promise<Client>;
  /** Events in the ledger, for "refused and changed nothing". */
  eventCount(): Promise<number>;
  /** Stops the instance, then drops the database. */
  close(): Promise<void>;
}

/** `prepareAllocationInfrastructure(label)` and `startInProcess(…, env)`, as a test file's set-up. */
export async function startAllocationTestService(
  label: string,
  env: Record<string, string> = {},
): Promise<AllocationTestService> {
  const infrastructure = await prepareAllocationInfrastructure(label);
  let service: InProcessService;
  try {
    service = await startInProcess(infrastructure, env);
  } catch (error) {
    await infrastructure.close();
    throw error;
  }
  const clientOf = (key?: string) => client(service.baseUrl, key);
  const admin = clientOf(infrastructure.adminKey);
  return {
    infrastructure,
    service,
    admin,
    anonymous: clientOf(),
    client: clientOf,
    clientWithNewKey: async (name, role, scopeUnitId) =>
      clientOf(await createKey(admin, name, role, scopeUnitId)),
    eventCount: async () =>
      Number(
        (
          await infrastructure.pool.query<{ count: string }>(
            `SELECT count(*) FROM ${SCHEMA}.events`,
          )
        ).rows[0]?.count,
      ),
    async close() {
      await service.close();
      await infrastructure.close();
    },
  };
}
