// On the real broker and PostgreSQL, billing's whole Kafka edge in a Nest context with the
// application: a usage.recorded record is charged (ledger + charge line), the same record twice
// is charged once, usage.adjusted becomes a credit note, allocation's UsageDebited +
// OverrunRecorded a surcharge of the hand-computed amount, poison records become dead letters
// without stopping the records behind them, and after a close the relay publishes InvoiceIssued
// and PeriodClosed on the billing topic.
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ALLOCATION_EVENTS_SOURCE,
  ALLOCATION_EVENT_TYPES_V1,
  BILLING_EVENTS_SOURCE,
  BILLING_EVENT_TYPES_V1,
  INGESTION_EVENTS_SOURCE,
  TOPICS,
  USAGE_ADJUSTED_V1_TYPE,
  USAGE_RECORDED_V1_TYPE,
  createCloudEvent,
  decodeKafkaMessage,
  encodeKafkaMessage,
  parseBillingEventV1,
  topicName,
  type AllocationEventDataV1,
  type AllocationEventNameV1,
  type BillingEventV1,
  type CloudEvent,
  type UsageAdjustedV1Json,
  type UsageRecordedV1Json,
} from '@plafond/contracts';
import {
  LedgerModule,
  PostgresEventStore,
  ledgerSchemaStatements,
  projectionMigrationStatements,
} from '@plafond/ledger';
import { JsonLogger, PlatformModule, loadConfig, provisionTopics } from '@plafond/platform';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type TestDatabase,
} from '@plafond/testing';
import { Kafka, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  BillingApplicationModule,
  BillingPeriods,
  BillingProfiles,
  CLOCK,
  PriceSchedules,
  directoryTableStatements,
  usageStreamId,
} from '../application';
import { BillingConfig } from '../config';
import { BILLING_ERROR } from '../domain/errors';
import { BOOKS_PROJECTION } from '../read/books.projection';
import { BillingMessagingHttpController } from './messaging.http.controller';
import { BillingMessagingModule } from './messaging.module';
import { messagingTableStatements } from './messaging.schema';
import { BillingMessagingStatus } from './messaging.status';
import { USAGE_RECORDED_ACTOR } from './usage-recorded.consumer';

jest.setTimeout(180_000);

const SCHEMA = 'billing';
const UNIT = 'team-search';
const USE_CASE = 'support-chat';
const BUDGET = 'b-2026-10';
const FINANCE = { actor: 'finance:test' };

let database: TestDatabase;
let pool: Pool;
let moduleRef: TestingModule;
let kafka: Kafka;
let producer: Producer;
let reader: Consumer | undefined;
let topics: { usageRecorded: string; allocationEvents: string; billingEvents: string };
let groups: { usage: string; allocation: string };
const now = new Date('2026-11-15T12:00:00.000Z');
const published: { key: string | null; event: CloudEvent }[] = [];
const logLines: string[] = [];

const usageId = (n: number) => `${INGESTION_EVENTS_SOURCE}#ingest-rec-${n}`;

function recorded(n: number, overrides: Partial<UsageRecordedV1Json> = {}): CloudEvent {
  const data: UsageRecordedV1Json = {
    unitId: UNIT,
    useCase: USE_CASE,
    model: 'gpt-4o',
    requests: '1',
    // 2.34 Wh at 0.50 EUR/kWh = 1170 µEUR; 130 gCO2e at 100 EUR/t = 13000 µEUR.
    energyMicroWh: '2340000',
    carbonMicroGrams: '130000000',
    factorSetVersion: '2026-01',
    method: 'modelled',
    occurredAt: `2026-10-0${n}T10:00:00.000Z`,
    reportedSource: 'urn:plafond:gateway:eu-1',
    reportedId: `r-${n}`,
    ...overrides,
  };
  return createCloudEvent({
    id: `ingest-rec-${n}`,
    source: INGESTION_EVENTS_SOURCE,
    type: USAGE_RECORDED_V1_TYPE,
    time: data.occurredAt,
    datacontenttype: 'application/json',
    partitionkey: UNIT,
    data,
  });
}

function allocationEvent<K extends AllocationEventNameV1>(
  id: string,
  name: K,
  data: AllocationEventDataV1[K],
): CloudEvent {
  return createCloudEvent({
    id,
    source: ALLOCATION_EVENTS_SOURCE,
    type: ALLOCATION_EVENT_TYPES_V1[name],
    datacontenttype: 'application/json',
    partitionkey: UNIT,
    data,
  });
}

async function produce(topic: string, ...events: (CloudEvent | Buffer)[]) {
  await producer.send({
    topic,
    acks: -1,
    messages: events.map((event) => {
      if (Buffer.isBuffer(event)) return { key: UNIT, value: event };
      const encoded = encodeKafkaMessage(event, { mode: 'binary' });
      return { key: UNIT, value: encoded.value, headers: encoded.headers };
    }),
  });
}

interface LineRow {
  line_id: string;
  kind: string;
  usage_id: string;
  amount_micro: string;
  billing_period: string;
  budget_id: string | null;
  invoice_number: string | null;
}

async function linesOf(id: string): Promise<LineRow[]> {
  const { rows } = await pool.query<LineRow>(
    `SELECT line_id, kind, usage_id, amount_micro::text AS amount_micro, billing_period,
            budget_id, invoice_number
       FROM "${SCHEMA}".charge_lines WHERE usage_id = $1 ORDER BY global_position`,
    [id],
  );
  return rows;
}

const lineOfKind = (id: string, kind: string) => async () =>
  (await linesOf(id)).find((line) => line.kind === kind) ?? null;

async function deadLetters(): Promise<{ consumer: string; error_code: string; offset: string }[]> {
  const { rows } = await pool.query<{ consumer: string; error_code: string; offset: string }>(
    `SELECT consumer, error_code, "offset"::text AS "offset"
       FROM "${SCHEMA}".dead_letters ORDER BY dead_letter_id`,
  );
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase('billing-messaging');
  pool = new Pool({ connectionString: database.url, max: 4 });
  for (const statement of [
    ...ledgerSchemaStatements(SCHEMA),
    ...projectionMigrationStatements(BOOKS_PROJECTION, SCHEMA),
    ...directoryTableStatements(SCHEMA),
    ...messagingTableStatements(SCHEMA),
  ])
    await pool.query(statement);

  const prefix = uniqueTopicPrefix('billing-messaging');
  const brokers = kafkaBrokers();
  await provisionTopics(
    brokers,
    [TOPICS.usageRecorded, TOPICS.allocationEvents, TOPICS.billingEvents],
    {
      prefix,
    },
  );
  topics = {
    usageRecorded: topicName(TOPICS.usageRecorded, prefix),
    allocationEvents: topicName(TOPICS.allocationEvents, prefix),
    billingEvents: topicName(TOPICS.billingEvents, prefix),
  };
  const clientId = `${prefix}plafond-billing`.slice(0, 100);
  groups = { usage: `${clientId}.usage`, allocation: `${clientId}.allocation` };
  const config = loadConfig(BillingConfig, {
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: SCHEMA,
    DATABASE_POOL_MAX: '8',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_CLIENT_ID: clientId,
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'info',
  });
  const logger = new JsonLogger({
    service: 'billing',
    level: 'info',
    write: (line) => logLines.push(line),
  });
  moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forRoot({
        service: 'billing',
        config,
        configClass: BillingConfig,
        logger,
        migrations: [],
        databaseConnectAttempts: 1,
      }),
      LedgerModule.forRoot({ schema: SCHEMA, global: true }),
      BillingMessagingModule.forRoot({
        imports: [BillingApplicationModule.forRoot({ readModelSchema: SCHEMA })],
        // Quick polls so the test waits on behaviour, not on idle timers.
        relay: { idlePollMs: 50 },
        consumerConfig: { maxWaitTimeInMs: 100 },
        startRetry: { initialBackoffMs: 100, maxBackoffMs: 1_000 },
      }),
    ],
  })
    .overrideProvider(CLOCK)
    .useValue(() => now)
    .setLogger(logger)
    .compile();
  await moduleRef.init();

  kafka = new Kafka({
    clientId: `${prefix}test`.slice(0, 100),
    brokers,
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer();
  await producer.connect();
  reader = kafka.consumer({ groupId: `${prefix}billing-reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [topics.billingEvents], fromBeginning: true });
  await reader.run({
    eachMessage: ({ message }: { message: KafkaMessage }) => {
      published.push({ key: message.key?.toString() ?? null, event: decodeKafkaMessage(message) });
      return Promise.resolve();
    },
  });

  // EUR from January: 100 EUR/t, 0.50 EUR/kWh, discretionary ×1.5; surcharge 25 % on the
  // overrun up to 10 % of the allocation, 50 % beyond.
  await moduleRef.get(PriceSchedules, { strict: false }).publish(
    {
      currency: 'EUR',
      effectiveFrom: '2026-01-01T00:00:00Z',
      carbonPricePerTonne: '100',
      energyPricePerKwh: '0.50',
      classMultipliers: { essential: '1', discretionary: '1.5' },
      overrunTiers: [
        { fromPercentOfAllocation: '0', surchargePercent: '25' },
        { fromPercentOfAllocation: '10', surchargePercent: '50' },
      ],
    },
    FINANCE,
  );
  // The unit and the use case's class come from allocation, before any usage.
  await produce(
    topics.allocationEvents,
    allocationEvent('alloc-1', 'UnitCreated', { unitId: UNIT, parentId: null, name: 'Search' }),
    allocationEvent('alloc-2', 'UseCaseRegistered', {
      useCase: USE_CASE,
      className: 'discretionary',
      description: '',
    }),
  );
  await waitFor(
    async () =>
      (await pool.query(`SELECT 1 FROM "${SCHEMA}".use_cases WHERE use_case = $1`, [USE_CASE]))
        .rowCount === 1,
    { timeoutMs: 60_000, description: 'the use case known from allocation' },
  );
});

afterAll(async () => {
  await reader?.disconnect();
  await producer?.disconnect();
  await moduleRef?.close();
  await pool?.end();
  await database?.drop();
});

// (13000 + 1170) µEUR × 1.5 (discretionary)
const USAGE_AMOUNT = '21255';

describe('billing over Kafka', () => {
  it('charges a usage.recorded record: UsageCharged in the ledger and a charge line', async () => {
    await produce(topics.usageRecorded, recorded(1));
    const line = await waitFor(lineOfKind(usageId(1), 'usage'), {
      timeoutMs: 60_000,
      description: 'the usage line of usage 1',
    });
    expect(line).toMatchObject({ amount_micro: USAGE_AMOUNT, billing_period: '2026-10' });
    const store = moduleRef.get(PostgresEventStore, { strict: false });
    const events = await store.transaction((tx) =>
      tx.readStream(usageStreamId(usageId(1)), { fromVersion: 1n }),
    );
    expect(events.map((event) => event.type)).toEqual(['UsageCharged']);
    expect(events[0]?.eventId).toBe(line.line_id);
    expect(events[0]?.metadata).toMatchObject({ actor: USAGE_RECORDED_ACTOR, partitionKey: UNIT });
    expect(events[0]?.data).toMatchObject({
      usageId: usageId(1),
      usefulnessClass: 'discretionary',
      multiplierPpm: '1500000',
      amountMicro: USAGE_AMOUNT,
    });
  });

  it('charges the same record delivered twice once', async () => {
    const twice = recorded(2);
    await produce(topics.usageRecorded, twice, twice, recorded(3));
    // Usage 3 comes after both copies on the same partition (same key).
    await waitFor(lineOfKind(usageId(3), 'usage'), {
      timeoutMs: 60_000,
      description: 'the usage behind the duplicate charged',
    });
    expect((await linesOf(usageId(2))).map((line) => line.kind)).toEqual(['usage']);
    const report = await moduleRef.get(BillingMessagingStatus, { strict: false }).report();
    expect(report.usageConsumer.counts.charged).toBeGreaterThanOrEqual(3);
  });

  it('turns usage.adjusted into a credit note of the exact difference', async () => {
    const adjustment: UsageAdjustedV1Json = {
      reportedSource: 'urn:plafond:gateway:eu-1',
      reportedId: 'r-1',
      recordedEventId: 'ingest-rec-1',
      unitId: UNIT,
      useCase: USE_CASE,
      occurredAt: '2026-10-01T10:00:00.000Z',
      method: 'modelled',
      fromFactorSetVersion: '2026-01',
      toFactorSetVersion: '2026-02',
      energyDeltaMicroWh: '-340000',
      carbonDeltaMicroGrams: '-30000000',
      energyMicroWh: '2000000',
      carbonMicroGrams: '100000000',
    };
    await produce(
      topics.usageRecorded,
      createCloudEvent({
        id: 'ingest-adj-1',
        source: INGESTION_EVENTS_SOURCE,
        type: USAGE_ADJUSTED_V1_TYPE,
        datacontenttype: 'application/json',
        partitionkey: UNIT,
        data: adjustment,
      }),
    );
    const note = await waitFor(lineOfKind(usageId(1), 'credit_note'), {
      timeoutMs: 60_000,
      description: 'the credit note of usage 1',
    });
    // after: (10000 + 1000) × 1.5 = 16500; before 21255.
    expect(note.amount_micro).toBe('-4755');
  });

  it('surcharges an overrun from UsageDebited + OverrunRecorded by the hand-computed amount', async () => {
    await produce(topics.usageRecorded, recorded(4));
    await waitFor(lineOfKind(usageId(4), 'usage'), {
      timeoutMs: 60_000,
      description: 'usage 4 charged',
    });
    // D = 3000 debited, O = 1000 of it over an allocation L = 10000; the account's overrun after
    // it A = 1500: the interval [500, 1500) is 500 at 25 % (below 10 % of L = 1000) and 500 at
    // 50 %. 21255 × (500 × 250000 + 500 × 500000) / (3000 × 10^6) = 2656.875 → 2657.
    await produce(
      topics.allocationEvents,
      allocationEvent('alloc-3', 'UsageDebited', {
        budgetId: BUDGET,
        unitId: UNIT,
        usageId: usageId(4),
        amount: '3000',
        overrunAmount: '1000',
        useCase: USE_CASE,
        usefulnessClass: 'discretionary',
        reservationId: null,
        flag: null,
        occurredAt: '2026-10-04T10:00:00.000Z',
      }),
      allocationEvent('alloc-4', 'OverrunRecorded', {
        budgetId: BUDGET,
        unitId: UNIT,
        usageId: usageId(4),
        amount: '1000',
        overrun: '1500',
        allocated: '10000',
        committed: '11500',
      }),
    );
    const surcharge = await waitFor(lineOfKind(usageId(4), 'surcharge'), {
      timeoutMs: 60_000,
      description: 'the surcharge of usage 4',
    });
    expect(surcharge).toMatchObject({ amount_micro: '2657', budget_id: BUDGET });
  });

  it('dead-letters poison records and charges the record behind them', async () => {
    await produce(
      topics.usageRecorded,
      Buffer.from([0x7b, 0x6f, 0x6f, 0x70, 0x73, 0xff, 0x00]),
      recorded(6, { energyMicroWh: '12.5' }),
      createCloudEvent({
        id: 'ingest-adj-unknown',
        source: INGESTION_EVENTS_SOURCE,
        type: USAGE_ADJUSTED_V1_TYPE,
        datacontenttype: 'application/json',
        data: {
          reportedSource: 'urn:plafond:gateway:eu-1',
          reportedId: 'r-404',
          recordedEventId: 'ingest-rec-404',
          unitId: UNIT,
          useCase: USE_CASE,
          occurredAt: '2026-10-05T10:00:00.000Z',
          method: 'modelled',
          fromFactorSetVersion: '2026-01',
          toFactorSetVersion: '2026-02',
          energyDeltaMicroWh: '1',
          carbonDeltaMicroGrams: '1',
          energyMicroWh: '2',
          carbonMicroGrams: '2',
        } satisfies UsageAdjustedV1Json,
      }),
      recorded(5),
    );
    await waitFor(lineOfKind(usageId(5), 'usage'), {
      timeoutMs: 60_000,
      description: 'the usage behind the poison charged',
    });
    const codesOf = async (consumer: string) =>
      (await deadLetters()).filter((row) => row.consumer === consumer).map((row) => row.error_code);
    expect(await codesOf(groups.usage)).toEqual([
      'CLOUDEVENT.INVALID',
      BILLING_ERROR.INVALID_MESSAGE,
      BILLING_ERROR.UNKNOWN_USAGE,
    ]);
    expect(await linesOf(usageId(6))).toEqual([]);

    // The allocation consumer too: garbage, an overrun whose debit never came, then a unit.
    await produce(
      topics.allocationEvents,
      Buffer.from('not a cloudevent'),
      allocationEvent('alloc-5', 'OverrunRecorded', {
        budgetId: BUDGET,
        unitId: UNIT,
        usageId: usageId(404),
        amount: '1',
        overrun: '1',
        allocated: '0',
        committed: '1',
      }),
      allocationEvent('alloc-6', 'UnitCreated', {
        unitId: 'team-after',
        parentId: UNIT,
        name: 'After',
      }),
    );
    await waitFor(
      async () =>
        (await pool.query(`SELECT 1 FROM "${SCHEMA}".units WHERE unit_id = 'team-after'`))
          .rowCount === 1,
      { timeoutMs: 60_000, description: 'the unit behind the allocation poison known' },
    );
    expect(await codesOf(groups.allocation)).toEqual([
      'CLOUDEVENT.INVALID',
      BILLING_ERROR.UNKNOWN_USAGE,
    ]);
    const report = await moduleRef.get(BillingMessagingStatus, { strict: false }).report();
    expect(report.deadLetters.count).toBe(5);
    expect(report.usageConsumer).toMatchObject({ state: 'running', groupId: groups.usage });
    expect(report.allocationConsumer).toMatchObject({
      state: 'running',
      groupId: groups.allocation,
      counts: { deadLettered: 2 },
    });
    expect(report.relay).toMatchObject({ state: 'running', enabled: true });
    // GET /v1/admin/messaging answers the same report, JSON-safe (bigints as strings).
    const answer = await moduleRef.get(BillingMessagingHttpController, { strict: false }).get();
    expect(JSON.parse(JSON.stringify(answer))).toMatchObject({
      deadLetters: { count: 5 },
      usageConsumer: { groupId: groups.usage, counts: { deadLettered: 3 } },
    });
    const page = await moduleRef.get(BillingMessagingHttpController, { strict: false }).list('2');
    expect(page.items.map((item) => item.error.code)).toEqual([
      'CLOUDEVENT.INVALID',
      expect.stringMatching(/^(CLOUDEVENT|BILLING)\./),
    ]);
    expect(page.nextAfter).toBe(page.items[1]?.id);
  });

  it('publishes InvoiceIssued and PeriodClosed on the billing topic after a close', async () => {
    const { invoices } = await moduleRef
      .get(BillingPeriods, { strict: false })
      .close('2026-10', { ...FINANCE, reason: 'month end' });
    expect(invoices.map((invoice) => invoice.invoiceNumber)).toEqual(['INV-2026-10-0001']);
    // usages 1-5 at 21255, the credit note −4755, the surcharge 2657.
    const total = (5n * 21255n - 4755n + 2657n).toString();
    expect(invoices[0]?.totalMicro).toBe(total);

    const parsed = (type: string) =>
      published
        .filter(({ event }) => event.type === type)
        .map(({ key, event }) => {
          const result = parseBillingEventV1(event);
          if (!result.ok) throw new Error(JSON.stringify(result.issues));
          return { key, value: result.value };
        });
    const closed = await waitFor(
      () => {
        // Different keys, different partitions: wait for both, whichever the reader got first.
        const found = parsed(BILLING_EVENT_TYPES_V1.PeriodClosed);
        const invoices = parsed(BILLING_EVENT_TYPES_V1.InvoiceIssued);
        return found.length > 0 && invoices.length > 0 ? found : null;
      },
      { timeoutMs: 60_000, description: 'PeriodClosed and InvoiceIssued on the billing topic' },
    );
    const issued = parsed(BILLING_EVENT_TYPES_V1.InvoiceIssued);
    expect(issued).toHaveLength(1);
    const invoice = issued[0]?.value as Extract<BillingEventV1, { name: 'InvoiceIssued' }>;
    expect(issued[0]?.key).toBe(UNIT);
    expect(invoice.cloudEvent.source).toBe(BILLING_EVENTS_SOURCE);
    expect(invoice.data).toMatchObject({
      invoiceNumber: 'INV-2026-10-0001',
      sequence: 1,
      period: '2026-10',
      unitId: UNIT,
      currency: 'EUR',
      lineCount: 7,
      totalMicro: total,
    });
    expect(closed).toHaveLength(1);
    expect(closed[0]?.key).toBe('2026-10');
    expect(closed[0]?.value.data).toMatchObject({
      period: '2026-10',
      invoiceCount: 1,
      firstInvoice: 'INV-2026-10-0001',
      lastInvoice: 'INV-2026-10-0001',
      totalsMicro: { EUR: total },
      reason: 'month end',
    });
    // The invoice comes before the close (same stream, one append), and the charge lines were
    // published too; held usage and noted overruns never leave the service.
    const types = published.map(({ event }) => event.type);
    // (Different keys, so different partitions: compare ledger positions, not arrival.)
    const position = (found: { value: BillingEventV1 }) =>
      BigInt(String(found.value.cloudEvent.ledgerposition));
    expect(position(issued[0]!)).toBeLessThan(position(closed[0]!));
    expect(types.filter((type) => type === BILLING_EVENT_TYPES_V1.UsageCharged)).toHaveLength(5);
    expect(types).toEqual(
      expect.arrayContaining([
        BILLING_EVENT_TYPES_V1.PriceSchedulePublished,
        BILLING_EVENT_TYPES_V1.UsageAdjustmentCharged,
        BILLING_EVENT_TYPES_V1.OverrunSurchargeCharged,
      ]),
    );
    expect(types.every((type) => type.startsWith('org.plafond.billing.'))).toBe(true);
    expect(await linesOf(usageId(5))).toEqual([
      expect.objectContaining({ invoice_number: 'INV-2026-10-0001' }),
    ]);
  });

  it('retries a usage that arrives before its unit and use case, then charges it once', async () => {
    // The unit's parent is known and has a profile; the unit and the use case are not, yet:
    // charging now would take the default profile and multiplier (wrong money, silently).
    await produce(
      topics.allocationEvents,
      allocationEvent('alloc-7', 'UnitCreated', { unitId: 'dept-late', parentId: null, name: 'D' }),
    );
    await waitFor(
      async () =>
        (await pool.query(`SELECT 1 FROM "${SCHEMA}".units WHERE unit_id = 'dept-late'`))
          .rowCount === 1,
      { timeoutMs: 60_000, description: 'the parent unit known' },
    );
    await moduleRef
      .get(BillingProfiles, { strict: false })
      .set('dept-late', { currency: 'EUR', costCentre: 'CC-LATE' }, FINANCE);
    const status = moduleRef.get(BillingMessagingStatus, { strict: false });
    const deadBefore = (await status.report()).deadLetters.count;
    await produce(
      topics.usageRecorded,
      recorded(7, {
        unitId: 'team-late',
        useCase: 'late-chat',
        occurredAt: '2026-11-02T10:00:00.000Z',
      }),
    );
    // Refused, and retried: the consumer reports what it waits for, and nothing is booked.
    const waiting = await waitFor(
      async () => {
        const [entry] = (await status.report()).usageConsumer.awaitingDirectory;
        return entry !== undefined && entry.attempts >= 2 ? entry : null;
      },
      { timeoutMs: 60_000, description: 'the usage refused more than once' },
    );
    expect(waiting).toMatchObject({
      usageId: usageId(7),
      unitId: 'team-late',
      useCase: 'late-chat',
      unknownUnitIds: ['team-late'],
      unknownUseCase: 'late-chat',
      lastError: { code: 'BILLING.DIRECTORY_BEHIND' },
    });
    expect(await linesOf(usageId(7))).toEqual([]);
    expect(
      logLines.some(
        (line) => line.includes('"level":"warn"') && line.includes('usage waits for allocation'),
      ),
    ).toBe(true);

    // Allocation's events arrive: the usage is charged, once, at discretionary × 1.5 and with
    // the profile inherited from dept-late.
    await produce(
      topics.allocationEvents,
      allocationEvent('alloc-8', 'UnitCreated', {
        unitId: 'team-late',
        parentId: 'dept-late',
        name: 'Late',
      }),
      allocationEvent('alloc-9', 'UseCaseRegistered', {
        useCase: 'late-chat',
        className: 'discretionary',
        description: '',
      }),
    );
    await waitFor(lineOfKind(usageId(7), 'usage'), {
      timeoutMs: 60_000,
      description: 'the waiting usage charged',
    });
    const { rows } = await pool.query<Record<string, string>>(
      `SELECT amount_micro::text AS amount, multiplier_ppm::text AS multiplier, cost_centre,
              currency, usefulness_class
         FROM "${SCHEMA}".charge_lines WHERE usage_id = $1`,
      [usageId(7)],
    );
    expect(rows).toEqual([
      {
        amount: USAGE_AMOUNT,
        multiplier: '1500000',
        cost_centre: 'CC-LATE',
        currency: 'EUR',
        usefulness_class: 'discretionary',
      },
    ]);
    const after = await status.report();
    expect(after.usageConsumer.awaitingDirectory).toEqual([]);
    expect(after.usageConsumer.counts.awaitingDirectory).toBeGreaterThanOrEqual(2);
    expect(after.deadLetters.count).toBe(deadBefore);
  });
});
