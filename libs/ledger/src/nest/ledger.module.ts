import { Inject, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { InMemoryEventStore } from '../memory/in-memory-event-store';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { typeormDataSourceSource } from '../postgres/sql-executor';
import { assertSchemaName } from '../schema/ledger-schema';

/** Injection token of the `EventStore` port. */
export const EVENT_STORE = Symbol('plafond.ledger.EVENT_STORE');

/** `@InjectEventStore() private readonly events: EventStore` */
export const InjectEventStore = (): PropertyDecorator & ParameterDecorator => Inject(EVENT_STORE);

export interface LedgerModuleOptions {
  /** Schema of this service's ledger tables (created by `createLedgerMigration(schema)`). */
  schema: string;
  /** Name of the app's TypeORM data source; the default one when omitted. */
  dataSource?: string;
  /** Register the store globally (default false: import LedgerModule where it is used). */
  global?: boolean;
}

/**
 * Provides the ledger on the app's TypeORM DataSource rather than a pool of its own: one
 * connection pool per service, migrations run by the same TypeORM CLI, and read-model
 * repositories can share a transaction with appends (`PostgresEventStore.withExecutor` on their
 * QueryRunner). The hot path still issues raw SQL; TypeORM only lends connections.
 */
@Module({})
export class LedgerModule {
  static forRoot(options: LedgerModuleOptions): DynamicModule {
    assertSchemaName(options.schema);
    return {
      module: LedgerModule,
      global: options.global ?? false,
      providers: [
        {
          provide: PostgresEventStore,
          inject: [getDataSourceToken(options.dataSource)],
          useFactory: (dataSource: DataSource) =>
            new PostgresEventStore({
              schema: options.schema,
              connection: typeormDataSourceSource(dataSource),
            }),
        },
        { provide: EVENT_STORE, useExisting: PostgresEventStore },
      ],
      exports: [EVENT_STORE, PostgresEventStore],
    };
  }

  /** The in-memory store behind the same token, for tests of handlers without PostgreSQL. */
  static forTesting(options: { global?: boolean } = {}): DynamicModule {
    return {
      module: LedgerModule,
      global: options.global ?? false,
      providers: [{ provide: EVENT_STORE, useFactory: () => new InMemoryEventStore() }],
      exports: [EVENT_STORE],
    };
  }
}
