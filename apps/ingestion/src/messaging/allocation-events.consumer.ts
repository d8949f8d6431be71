// Learns which units and use cases exist from allocation's public events (the ingestion pipeline
// rejects usage for an unknown unit or use case). Inbox consumer: each CloudEvent (source#id) is
// applied once, in the inbox transaction. Other allocation events are acknowledged and ignored.
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ALLOCATION_EVENT_TYPES_V1,
  CloudEventValidationError,
  decodeKafkaMessage,
  parseAllocationEventV1,
  type CloudEvent,
  type ContractIssue,
} from '@plafond/contracts';
import {
  EVENT_STORE,
  type EventStore,
  type InboxKafkaMessage,
  type SqlExecutor,
  type TransactionalEventStore,
} from '@plafond/ledger';
import {
  InboxConsumer,
  MESSAGE_TRANSPORT,
  MessageTransport,
  createInboxConsumerEdge,
  type InboxConsumerEdge,
  type InboxConsumerEdgeStatus,
} from '@plafond/messaging';
import { JsonLogger, KafkaClients } from '@plafond/platform';
import { PostgresUnitDirectory } from '../application';
import { IngestionConfig } from '../config';
import { INGESTION_MESSAGING_SETTINGS, type IngestionMessagingSettings } from './messaging.options';

const T = ALLOCATION_EVENT_TYPES_V1;
/** The allocation events that change what ingestion knows. */
export const DIRECTORY_EVENT_TYPES: readonly string[] = [
  T.UnitCreated,
  T.UnitMoved,
  T.UnitArchived,
  T.UseCaseRegistered,
  T.UseCaseReclassified,
  T.UseCaseRetired,
];

/** A directory event whose data breaks the contract: logged and skipped, never retried. */
export class AllocationEventRejected extends Error {
  override readonly name = 'AllocationEventRejected';
  readonly code = 'MESSAGING.INVALID_DATA';
  constructor(
    message: string,
    readonly issues: readonly ContractIssue[],
  ) {
    super(message);
  }
}

/** Applies one allocation CloudEvent to the directory (no-op for other types). */
export async function applyAllocationEvent(
  directory: PostgresUnitDirectory,
  sql: SqlExecutor,
  event: CloudEvent,
  now: Date,
): Promise<boolean> {
  if (!DIRECTORY_EVENT_TYPES.includes(event.type)) return false;
  const parsed = parseAllocationEventV1(event);
  if (!parsed.ok) {
    throw new AllocationEventRejected(`invalid ${event.type} data`, parsed.issues);
  }
  const at = event.time === undefined ? now : new Date(event.time);
  const data = event.data as Record<string, unknown>;
  const text = (name: string) => String(data[name]);
  switch (event.type) {
    case T.UnitCreated:
    case T.UnitMoved:
      await directory.rememberUnit(sql, text('unitId'), at);
      return true;
    case T.UnitArchived:
      await directory.rememberUnit(sql, text('unitId'), at, at);
      return true;
    case T.UseCaseRegistered:
    case T.UseCaseReclassified:
      await directory.rememberUseCase(sql, text('useCase'), at);
      return true;
    case T.UseCaseRetired:
      await directory.rememberUseCase(sql, text('useCase'), at, at);
      return true;
    default:
      return false;
  }
}

export type AllocationEventsConsumerStatus = InboxConsumerEdgeStatus;

@Injectable()
export class AllocationEventsConsumer extends InboxConsumer {
  readonly topic: string;
  readonly groupId: string;
  protected readonly edge: InboxConsumerEdge;
  protected readonly autoStart: boolean;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    config: IngestionConfig,
    clients: KafkaClients,
    private readonly logger: JsonLogger,
    private readonly directory: PostgresUnitDirectory,
    @Inject(INGESTION_MESSAGING_SETTINGS) settings: IngestionMessagingSettings,
    @Optional() @Inject(MESSAGE_TRANSPORT) transport?: MessageTransport,
  ) {
    super();
    this.topic = settings.allocationEventsTopic;
    this.groupId = settings.allocationGroupId;
    this.autoStart = settings.autoStart;
    this.edge = createInboxConsumerEdge(
      {
        store,
        schema: config.databaseSchema,
        clients,
        logger,
        transport,
        retry: settings.startRetry,
      },
      {
        name: 'allocation events consumer',
        loggerContext: 'AllocationEventsConsumer',
        topic: this.topic,
        groupId: this.groupId,
        // Every unit ever created must be known: a new group reads the topic from its start.
        fromBeginning: true,
        consumerConfig: settings.consumerConfig,
        handle: (delivery, tx) => this.apply(delivery, tx),
        onInvalidMessage: (delivery, error) => this.skip(delivery, error),
        isPermanentFailure: (error) =>
          error instanceof AllocationEventRejected || error instanceof CloudEventValidationError,
      },
    );
  }

  status(): AllocationEventsConsumerStatus {
    return this.edge.status();
  }

  private async apply(delivery: InboxKafkaMessage, tx: TransactionalEventStore): Promise<void> {
    const event = decodeKafkaMessage(delivery.message);
    const applied = await applyAllocationEvent(this.directory, tx.sql, event, new Date());
    if (applied) {
      this.logger.write(
        'debug',
        'directory updated',
        { type: event.type, id: event.id, offset: delivery.message.offset },
        'AllocationEventsConsumer',
      );
    }
  }

  /** Allocation's topic carries only its relay's events: a bad one is a bug, logged loudly. */
  private skip(delivery: InboxKafkaMessage, error: unknown): Promise<void> {
    this.logger.write(
      'error',
      'allocation event skipped',
      { err: error, partition: delivery.partition, offset: delivery.message.offset },
      'AllocationEventsConsumer',
    );
    return Promise.resolve();
  }
}
