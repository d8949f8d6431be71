// The bad-input corpus (corpus.ts) against the whole system as deployed: three service processes
// on one PostgreSQL database and the real Kafka broker (test/e2e/system/harness.ts, distributed),
// one system for the whole file. For every case: the documented status and stable code (or the
// rejection code on the usage.rejected topic for a raw Kafka record), nothing changed — every
// service's ledger, counted by event type straight from the test database before and after the
// case, except the one UsageRejected ingestion records per rejected usage item, as documented —
// and, at the end, the services still serve.
import { TOPICS, topicName } from '@plafond/contracts';
import { currentRunId, kafkaBrokers, serverDatabaseUrl, waitFor } from '@plafond/testing';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { api, outcome, type Api } from '../system/http';
import { startDistributed, type RunningSystem } from '../system/harness';
import {
  CALENDAR,
  GOOD_BATCH,
  GOOD_RESERVATION,
  HTTP_CASES,
  P,
  RAW_CASES,
  WARM_UP_BATCH,
  type HttpCase,
  type KeyRole,
  type RawCase,
  type Service,
  VALID_SCHEDULE,
} from './corpus';

const LABEL = 'e2e-badinput';
const SETTLE = { timeoutMs: 60_000, intervalMs: 250 } as const;
type Json = Record<string, unknown>;
/** `schema/EventType` → count, over every ledger in the database. */
type LedgerCounts = Record<string, number>;

describe('bad input: every case refused with its code, nothing changed, the system keeps serving', () => {
  let system: RunningSystem | undefined;
  let sql: Client | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let rawTopic = '';
  const keys = new Map<KeyRole, string>();
  /** Messages read from the rejected topic, as text (base64 payloads decoded alongside). */
  const rejections: { text: string; value: Json }[] = [];
  const admin = {} as Record<Service, Api>;

  const running = (): RunningSystem => {
    if (system === undefined) throw new Error('the system did not start');
    return system;
  };
  const db = (): Client => {
    if (sql === undefined) throw new Error('no database connection');
    return sql;
  };

  const ledgerCounts = async (): Promise<LedgerCounts> => {
    const schemas = await db().query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables
        WHERE table_name = 'events' AND table_schema NOT LIKE 'pg_%' ORDER BY 1`,
    );
    const counts: LedgerCounts = {};
    for (const { schema } of schemas.rows) {
      const rows = await db().query<{ type: string; n: string }>(
        `SELECT event_type AS type, count(*) AS n FROM "${schema}".events GROUP BY 1`,
      );
      for (const row of rows.rows) counts[`${schema}/${row.type}`] = Number(row.n);
    }
    return counts;
  };
  /** The ingestion ledger's key for UsageRejected, found once the set-up recorded anything. */
  const rejectedKey = (counts: LedgerCounts): string => {
    const key = Object.keys(counts).find((name) => name.endsWith('/UsageRejected'));
    return key ?? 'ingestion/UsageRejected';
  };
  const plus = (counts: LedgerCounts, key: string, n: number): LedgerCounts =>
    n === 0 ? counts : { ...counts, [key]: (counts[key] ?? 0) + n };

  const send = async (
    service: Service,
    target: string,
    key: KeyRole,
    body?: string | Buffer,
    contentType?: string,
  ) => {
    const [method = 'GET', path = '/'] = target.split(' ');
    const headers: Record<string, string> = {};
    if (key === 'garbage') headers.authorization = 'Bearer not-a-key';
    else if (key !== 'none') headers.authorization = `Bearer ${keys.get(key) ?? ''}`;
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
    const response = await fetch(`${running().urls[service]}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text so a failed assertion shows it
    }
    return { status: response.status, body: parsed as Json };
  };

  beforeAll(async () => {
    system = await startDistributed(LABEL);
    const { urls, adminKey } = system;
    for (const service of ['allocation', 'ingestion', 'billing'] as const)
      admin[service] = api(urls[service], adminKey);
    keys.set('admin', adminKey);

    // The harness's database and topics are named after the label and this run (test/support).
    sql = new Client({ connectionString: serverDatabaseUrl() });
    await sql.connect();
    const found = await sql.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`plafond\\_t\\_${currentRunId()}\\_e2e\\_badinput\\_%`],
    );
    const databaseName = found.rows[0]?.datname;
    if (found.rows.length !== 1 || databaseName === undefined)
      throw new Error(`expected one database of this run, found ${found.rows.length}`);
    await sql.end();
    const url = new URL(serverDatabaseUrl());
    url.pathname = `/${databaseName}`;
    sql = new Client({ connectionString: url.toString() });
    await sql.connect();

    const kafka = new Kafka({
      clientId: `badinput-${currentRunId()}`,
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const topics = await kafkaAdmin.listTopics();
    await kafkaAdmin.disconnect();
    const rawName = topics.find(
      (name) =>
        name.startsWith(`t-${currentRunId()}-e2e_badinput-`) && name.endsWith(TOPICS.usageRaw.name),
    );
    if (rawName === undefined) throw new Error('the raw usage topic of this run was not found');
    const prefix = rawName.slice(0, -TOPICS.usageRaw.name.length);
    rawTopic = rawName;
    producer = kafka.producer();
    await producer.connect();
    const reader = kafka.consumer({ groupId: `${prefix}badinput-reader` });
    consumer = reader;
    await reader.connect();
    await reader.subscribe({ topic: topicName(TOPICS.usageRejected, prefix), fromBeginning: true });
    await reader.run({
      // Collected, not awaited on: each case waits for its own rejection (bounded).
      eachMessage: ({ message }) => {
        const text = message.value?.toString('utf8') ?? '';
        let value: Json = {};
        try {
          value = JSON.parse(text) as Json;
        } catch {
          return Promise.resolve();
        }
        const data = (value.data ?? value) as Json;
        const payload =
          typeof data.payload === 'string' && data.payloadEncoding === 'base64'
            ? Buffer.from(data.payload, 'base64').toString('latin1')
            : '';
        rejections.push({ text: `${text}\n${payload}`, value: data });
        return Promise.resolve();
      },
    });

    // Allocation: a tree, a catalog, an open budget allocated, and one of 2030 closed early.
    const a = admin.allocation;
    const created = [
      await a.post('/v1/use-cases', {
        useCase: 'incident-triage',
        className: 'essential',
        description: 'x',
      }),
      await a.post('/v1/units', { unitId: 'acme', parentId: null, name: 'Acme' }),
      await a.post('/v1/units', {
        unitId: 'research',
        parentId: 'acme',
        name: 'Research',
        attributes: { effectiveFrom: '2020-01-01', values: { headcount: '30' } },
      }),
      await a.post('/v1/units', {
        unitId: 'support',
        parentId: 'acme',
        name: 'Support',
        attributes: { effectiveFrom: '2020-01-01', values: { headcount: '10' } },
      }),
      await a.post('/v1/budgets', {
        budgetId: 'bad-energy',
        perimeterUnitId: 'acme',
        dimension: 'energy',
        period: {
          kind: 'range',
          startsOn: new Date(CALENDAR.START_P).toISOString().slice(0, 10),
          endsOn: new Date(CALENDAR.NOW + CALENDAR.DAY_MS).toISOString().slice(0, 10),
        },
        timeZone: 'UTC',
        mode: 'hard',
        ceiling: '4000000000',
        reason: 'bad input',
      }),
      await a.post('/v1/budgets', {
        budgetId: 'bad-closed',
        perimeterUnitId: 'acme',
        dimension: 'energy',
        period: { kind: 'range', startsOn: '2030-01-01', endsOn: '2030-01-31' },
        timeZone: 'UTC',
        mode: 'hard',
        ceiling: '1000',
        reason: 'bad input',
      }),
    ];
    expect(created.map(outcome)).toEqual(
      created.map((): [number, unknown] => [201, expect.anything()]),
    );
    const policies = {
      acme: {
        rule: {
          kind: 'tiers',
          mode: 'weighted',
          weightAttribute: 'headcount',
          tiers: [{ tier: 'standard' }],
          members: [
            { childId: 'research', tier: 'standard' },
            { childId: 'support', tier: 'standard' },
          ],
        },
      },
    };
    expect(
      outcome(
        await a.post('/v1/budgets/bad-energy/allocations', {
          allocationId: 'round-1',
          policies,
          reason: 'x',
        }),
      ),
    ).toEqual([201, expect.anything()]);
    expect(
      outcome(
        await a.post('/v1/budgets/bad-closed/allocations', {
          allocationId: 'round-1',
          policies,
          reason: 'x',
        }),
      ),
    ).toEqual([201, expect.anything()]);
    // Closed early: an ended period can no longer be allocated.
    expect(
      outcome(await a.post('/v1/budgets/bad-closed/close', { closeEarly: true, reason: 'x' })),
    ).toEqual([200, expect.objectContaining({ status: 'closed' })]);
    const service = await a.post<{ key: string }>('/v1/api-keys', {
      name: 'gateway',
      role: 'service',
    });
    const manager = await a.post<{ key: string }>('/v1/api-keys', {
      name: 'support lead',
      role: 'unit_manager',
      scopeUnitId: 'support',
    });
    keys.set('service', service.body.key);
    keys.set('manager', manager.body.key);

    // Ingestion: an integrator for every unit, one restricted to research.
    const i = admin.ingestion;
    expect(
      outcome(
        await i.post('/v1/integrators', {
          integratorId: 'gateway',
          name: 'Gateway',
          source: 'urn:badinput:gateway',
          unitIds: null,
        }),
      ),
    ).toEqual([201, expect.anything()]);
    expect(
      outcome(
        await i.post('/v1/integrators', {
          integratorId: 'restricted',
          name: 'Restricted',
          source: 'urn:badinput:restricted',
          unitIds: ['research'],
        }),
      ),
    ).toEqual([201, expect.anything()]);
    keys.set(
      'integrator',
      (await i.post<{ key: string }>('/v1/integrators/gateway/keys', { name: 'k' })).body.key,
    );
    keys.set(
      'restricted',
      (await i.post<{ key: string }>('/v1/integrators/restricted/keys', { name: 'k' })).body.key,
    );

    // Billing: learns the tree, then a price from the start of P, and P closed.
    const b = admin.billing;
    await waitFor(
      async () => {
        const answer = await b.get<{ allocationConsumer?: { counts?: Json } }>(
          '/v1/admin/messaging',
        );
        return answer.body.allocationConsumer?.counts?.applied === 4 ? true : undefined;
      },
      { ...SETTLE, description: 'billing to apply 3 units and 1 use case' },
    );
    const finance = await b.post<{ key: string }>('/v1/api-keys', {
      name: 'controller',
      role: 'finance',
    });
    const billingManager = await b.post<{ key: string }>('/v1/api-keys', {
      name: 'support lead',
      role: 'unit_manager',
      scopeUnitId: 'support',
    });
    keys.set('finance', finance.body.key);
    keys.set('billing-manager', billingManager.body.key);
    // From the start of P (the corpus's own schedule cases start in C).
    const schedule = { ...VALID_SCHEDULE, effectiveFrom: new Date(CALENDAR.START_P).toISOString() };
    expect(outcome(await b.post('/v1/price-schedules', schedule))).toEqual([
      201,
      expect.anything(),
    ]);
    expect(outcome(await b.post(`/v1/periods/${P}/close`, {}))).toEqual([200, expect.anything()]);

    // One good usage, end to end (ingestion learns the tree from allocation's events meanwhile).
    await waitFor(
      async () => {
        const answer = await send('ingestion', 'POST /v1/usage', 'integrator', WARM_UP_BATCH);
        const items = answer.body.items as { status: string }[] | undefined;
        return items?.[0]?.status === 'accepted' ? true : undefined;
      },
      { ...SETTLE, description: 'the warm-up usage accepted' },
    );
    await waitFor(
      async () => {
        const statement = await b.get<{ currencies: { lines: number }[] }>(
          `/v1/units/research/statement?period=${new Date(CALENDAR.NOW).toISOString().slice(0, 7)}`,
        );
        const balance = await a.get<{ committed: string }>(
          '/v1/budgets/bad-energy/units/research/balance',
        );
        return statement.body.currencies?.[0]?.lines === 1 && balance.body.committed === '1000000'
          ? true
          : undefined;
      },
      { ...SETTLE, description: 'the warm-up usage debited and charged' },
    );
    // Nothing else is in flight: the ledgers hold still from here (checked by the first case).
  }, 180_000);

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await sql?.end().catch(() => undefined);
    await system?.dispose();
  }, 60_000);

  it('the corpus holds at least 60 cases, each id once, every raw record carrying its id', () => {
    const ids = [...HTTP_CASES, ...RAW_CASES].map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ids).size).toBe(ids.length);
    expect(RAW_CASES.filter((c) => !Buffer.from(c.value).includes(c.id)).map((c) => c.id)).toEqual(
      [],
    );
  });

  it.each(HTTP_CASES.map((c) => [c.id, c] as const))('%s', async (_id: string, c: HttpCase) => {
    const before = await ledgerCounts();
    const answer = await send(c.service, c.target, c.key, c.body, c.contentType);
    if (c.expect.item === undefined) {
      expect([answer.status, answer.body.code]).toEqual([c.expect.status, c.expect.code]);
    } else {
      const items = answer.body.items as
        { status?: string; error?: { code?: string } }[] | undefined;
      expect([answer.status, items?.length, items?.[0]?.status, items?.[0]?.error?.code]).toEqual([
        200,
        1,
        'rejected',
        c.expect.item,
      ]);
    }
    // A rejected usage item is recorded as one UsageRejected; nothing else changes, anywhere.
    expect(await ledgerCounts()).toEqual(
      plus(before, rejectedKey(before), c.expect.item === undefined ? 0 : 1),
    );
  });

  it.each(RAW_CASES.map((c) => [c.id, c] as const))(
    '%s (raw Kafka topic)',
    async (_id: string, c: RawCase) => {
      const before = await ledgerCounts();
      const producing = producer;
      if (producing === undefined) throw new Error('no producer');
      await producing.send({
        topic: rawTopic,
        acks: -1,
        messages: [
          {
            key: c.key ?? 'research',
            value: Buffer.from(c.value),
            headers: { 'content-type': 'application/cloudevents+json', ...c.headers },
          },
        ],
      });
      const rejection = await waitFor(() => rejections.find((r) => r.text.includes(c.id)), {
        ...SETTLE,
        description: `the rejection of ${c.id} on the rejected topic`,
      });
      const reasons = rejection.value.reasons as { code?: string }[] | undefined;
      expect(reasons?.[0]?.code).toBe(c.rejected);
      expect(await ledgerCounts()).toEqual(plus(before, rejectedKey(before), 1));
    },
  );

  it('after the corpus every service still serves: ready, a good reservation and usage, ledgers verified', async () => {
    for (const service of ['allocation', 'ingestion', 'billing'] as const) {
      expect((await fetch(`${running().urls[service]}/health/ready`)).status).toBe(200);
      expect(outcome(await admin[service].get('/v1/admin/ledger/verify'))).toEqual([
        200,
        expect.objectContaining({ ok: true }),
      ]);
    }
    const reserved = await send('allocation', 'POST /v1/reservations', 'service', GOOD_RESERVATION);
    expect([reserved.status, reserved.body.status]).toEqual([201, 'pending']);
    const usage = await send('ingestion', 'POST /v1/usage', 'integrator', GOOD_BATCH);
    expect([usage.status, usage.body.accepted]).toEqual([200, 1]);
    // The HTTP answers above came from the same processes that took the whole corpus.
    expect(running().output()).not.toMatch(/"level":\s*"?(error|fatal|50|60)\b/);
  });
});
