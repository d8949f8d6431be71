import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import { ServiceConfig } from '../../config/service-config';
import { DeadLetters, type DeadLetterTransactions } from './dead-letters';

/**
 * `DeadLetters` (inject it by its class) on the service's `DATABASE_SCHEMA`, in the transactions
 * of the provider `storeToken` names: the ledger's `EVENT_STORE` in every service.
 */
export function deadLettersProvider(storeToken: InjectionToken): FactoryProvider<DeadLetters> {
  return {
    provide: DeadLetters,
    inject: [storeToken, ServiceConfig],
    useFactory: (store: DeadLetterTransactions, config: ServiceConfig) =>
      new DeadLetters(store, config.databaseSchema),
  };
}
