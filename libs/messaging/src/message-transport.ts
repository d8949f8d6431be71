// How a service's inbox consumers receive the other services' public events: over Kafka (the
// production topology), or by reading the producers' ledgers in place (the embedded default, where
// the three services share one database and no broker runs). The domain code, migrations and
// handlers are the same either way; only this adapter, chosen by the composition root, differs.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { KafkaContentMode } from '@plafond/contracts';
import {
  PostgresEventStore,
  typeormDataSourceSource,
  type LedgerLogProducer,
  type RelayRouter,
} from '@plafond/ledger';
import type { DataSource } from 'typeorm';

/** Injection token of the `MessageTransport`; absent means Kafka. */
export const MESSAGE_TRANSPORT = Symbol('plafond.messaging.MESSAGE_TRANSPORT');

/** A service whose ledger others may read in place: what its relay would publish, and where. */
export interface LedgerLogProducerSpec {
  /** For logs: `allocation`. */
  name: string;
  /** The producer's ledger schema (its DATABASE_SCHEMA), in the consumer's database. */
  schema: string;
  /** CloudEvents `source` of its relay, e.g. `/plafond/allocation`. */
  source: string;
  /** The topics its router sends events to (with the topic prefix): consumers are matched by topic. */
  topics: readonly string[];
  /** Its relay's router. */
  route: RelayRouter;
  /** Its relay's content mode (default binary). */
  mode?: KafkaContentMode;
}

export type MessageTransportConfig =
  | { kind: 'kafka' }
  | {
      kind: 'ledger-log';
      producers: readonly LedgerLogProducerSpec[];
      /** Idle poll of each producer's log; default the ledger-log consumer's (100 ms). */
      idlePollMs?: number;
    };

/** The transport of one service, bound to its database. */
export class MessageTransport {
  private readonly stores = new Map<string, PostgresEventStore>();

  constructor(
    readonly config: MessageTransportConfig,
    private readonly dataSource?: DataSource,
  ) {}

  static kafka(): MessageTransport {
    return new MessageTransport({ kind: 'kafka' });
  }

  get kind(): MessageTransportConfig['kind'] {
    return this.config.kind;
  }

  /** True when the service publishes and consumes through Kafka (relays and Kafka consumers run). */
  get usesKafka(): boolean {
    return this.config.kind === 'kafka';
  }

  get idlePollMs(): number | undefined {
    return this.config.kind === 'ledger-log' ? this.config.idlePollMs : undefined;
  }

  /**
   * The producer whose router publishes to `topic`, with a ledger store on its schema in this
   * service's database. Throws when the transport is Kafka or no producer routes to the topic.
   */
  producerFor(topic: string): LedgerLogProducer & { name: string } {
    if (this.config.kind !== 'ledger-log') {
      throw new Error(`no ledger-log producer: the transport is ${this.config.kind}`);
    }
    const spec = this.config.producers.find((producer) => producer.topics.includes(topic));
    if (spec === undefined) {
      throw new Error(
        `no ledger-log producer publishes to ${topic} (producers: ${this.config.producers
          .map((producer) => `${producer.name} → ${producer.topics.join(', ')}`)
          .join('; ')})`,
      );
    }
    if (this.dataSource === undefined) {
      throw new Error('a ledger-log transport needs the service DataSource');
    }
    let store = this.stores.get(spec.schema);
    if (store === undefined) {
      store = new PostgresEventStore({
        schema: spec.schema,
        connection: typeormDataSourceSource(this.dataSource),
      });
      this.stores.set(spec.schema, store);
    }
    return {
      name: spec.name,
      store,
      schema: spec.schema,
      source: spec.source,
      route: spec.route,
      mode: spec.mode,
    };
  }
}

/** The kind of the injected transport; none injected means Kafka (every process but the embedded host). */
export function transportKind(
  transport: MessageTransport | undefined,
): MessageTransportConfig['kind'] {
  return (transport ?? MessageTransport.kafka()).kind;
}

@Global()
@Module({})
export class MessageTransportModule {
  /** Provides `MESSAGE_TRANSPORT` globally, bound to the app's default TypeORM DataSource. */
  static forRoot(config: MessageTransportConfig): DynamicModule {
    return {
      module: MessageTransportModule,
      providers: [
        {
          provide: MESSAGE_TRANSPORT,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new MessageTransport(config, dataSource),
        },
      ],
      exports: [MESSAGE_TRANSPORT],
    };
  }
}
