// Test-only: the billing service as it runs in production (its ServiceDefinition, its migrations,
// the platform's HTTP pipeline, API keys and roles), in process, on a fresh database and
// run-unique topics of the real broker. Usage gets in without Kafka through the service's own
// UsageCharging inside a ledger transaction (what the usage.recorded consumer does), and units
// through BillingDirectory (what the allocation-events consumer does).
import {
  encodeKafkaMessage,
  TOPICS,
  topicName,
  type CloudEvent,
  type UsageRecordedV1,
} from '@plafond/contracts';
import { PostgresEventStore } from '@plafond/ledger';
import {
  generateApiKey,
  loadConfig,
  provisionTopics,
  type ServiceDefinition,
} from '@plafond/platform';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@plafond/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { BillingDirectory, UsageCharging } from '../../apps/billing/src/application';
import { BillingConfig } from '../../apps/billing/src/config';
import { BILLING_SERVICE } from '../../apps/billing/src/definition';
import {
  migrateService,
  startServiceInProcess,
  type InProcessApplication,
} from './service-harness';

export const SCHEMA = 'billing';

/** The service exactly as deployed: its own migrations create every table it needs. */
export const BILLING_TEST_DEFINITION: ServiceDefinition<BillingConfig> = BILLING_SERVICE;

export interface BillingInfrastructure {
  database: TestDatabase;
  /** For assertions (and deliberate tampering) straight on the tables. */
  pool: Pool;
  /** The environment a service instance needs (admin key included). */
  env: Record<string, string>;
  adminKey: string;
  topics: { usageRecorded: string; allocationEvents: string; billingEvents: string };
  close(): Promise<void>;
}

export async function prepareBillingInfrastructure(label: string): Promise<BillingInfrastructure> {
  const database = await createTestDatabase(label);
  await migrateService(database.url, BILLING_TEST_DEFINITION, SCHEMA);
  const prefix = uniqueTopicPrefix(label);
  const brokers = kafkaBrokers();
  await provisionTopics(
    brokers,
    [TOPICS.usageRecorded, TOPICS.allocationEvents, TOPICS.billingEvents],
    { prefix },
  );
  const adminKey = generateApiKey().key;
  const pool = new Pool({ connectionString: database.url, max: 3 });
  return {
    database,
    pool,
    adminKey,
    topics: {
      usageRecorded: topicName(TOPICS.usageRecorded, prefix),
      allocationEvents: topicName(TOPICS.allocationEvents, prefix),
      billingEvents: topicName(TOPICS.billingEvents, prefix),
    },
    env: {
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: SCHEMA,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: `${prefix}billing`.slice(0, 100),
      KAFKA_TOPIC_PREFIX: prefix,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'info',
      BILLING_DEFAULT_CURRENCY: 'EUR',
      BILLING_EXPENSE_ACCOUNT: '6980-AI-CARBON',
      BILLING_CARBON_FUND_ACCOUNT: '4890-CARBON-FUND',
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

export type InProcessBilling = InProcessApplication;

/** One instance in this process, listening on a free port (real HTTP, real guard and filter). */
export function startBillingInProcess(
  infrastructure: BillingInfrastructure,
  env: Record<string, string> = {},
): Promise<InProcessBilling> {
  const config = loadConfig(BillingConfig, { ...infrastructure.env, ...env });
  return startServiceInProcess('billing', BILLING_TEST_DEFINITION, config, infrastructure.adminKey);
}

/** A unit as allocation's UnitCreated announces it. */
export interface TestUnit {
  unitId: string;
  parentId: string | null;
  name: string;
}

/** Teaches billing units and use cases, as the allocation-events consumer would (one transaction). */
export async function teachDirectory(
  service: InProcessBilling,
  units: readonly TestUnit[],
  useCases: readonly { useCase: string; className: string }[] = [],
): Promise<void> {
  const store = service.app.get(PostgresEventStore);
  const directory = service.app.get(BillingDirectory);
  await store.transaction(async (tx) => {
    for (const unit of units) await directory.applyAllocationEvent(tx.sql, 'UnitCreated', unit);
    for (const useCase of useCases) {
      await directory.applyAllocationEvent(tx.sql, 'UseCaseRegistered', {
        useCase: useCase.useCase,
        className: useCase.className,
        description: useCase.useCase,
      });
    }
  });
}

export interface TestUsage {
  /** The usage.recorded CloudEvent's `id`; the usage id is `<source>#<id>`. */
  id: string;
  unitId: string;
  useCase: string;
  occurredAt: string;
  requests: bigint;
  energyMicroWh: bigint;
  carbonMicroGrams: bigint;
  model?: string;
}

export const USAGE_SOURCE = '/plafond/ingestion';

/** Records a usage as the usage.recorded consumer does: UsageCharging in one ledger transaction. */
export async function recordUsage(
  service: InProcessBilling,
  usage: TestUsage,
): Promise<'charged' | 'unpriced' | 'duplicate'> {
  const store = service.app.get(PostgresEventStore);
  const charging = service.app.get(UsageCharging);
  const recorded: UsageRecordedV1 = {
    unitId: usage.unitId,
    useCase: usage.useCase,
    model: usage.model ?? 'gpt-4o-mini',
    requests: usage.requests,
    energyMicroWh: usage.energyMicroWh,
    carbonMicroGrams: usage.carbonMicroGrams,
    factorSetVersion: '2026.1',
    method: 'modelled',
    occurredAt: usage.occurredAt,
    reportedSource: 'urn:acme:gateway',
    reportedId: usage.id,
  };
  return store.transaction((tx) =>
    charging.recordUsage(tx, `${USAGE_SOURCE}#${usage.id}`, recorded),
  );
}

/** A minimal client over fetch: real HTTP, answers parsed (JSON or text), nothing thrown on 4xx/5xx. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export function client(baseUrl: string, key?: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
    return {
      status: response.status,
      body: (isJson && text !== '' ? JSON.parse(text) : {}) as T,
      text,
      headers: response.headers,
    };
  };
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
      call<T>('POST', path, body),
    put: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>('PUT', path, body),
  };
}

export type Client = ReturnType<typeof client>;

/** A new API key of a role through the admin endpoint (`scopeUnitId` for unit managers). */
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
    throw new Error(`could not create a ${role} key: ${created.status} ${created.text}`);
  }
  return created.body.key;
}

/** Publishes CloudEvents (binary mode) to one of the infrastructure's topics, keyed as given. */
export async function publishToKafka(
  topic: string,
  messages: readonly { key: string; event: CloudEvent }[],
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'billing-test-producer',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map(({ key, event }) => {
        const encoded = encodeKafkaMessage(event, { mode: 'binary' });
        return { key, value: encoded.value, headers: encoded.headers };
      }),
    });
  } finally {
    await producer.disconnect();
  }
}
