import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { JsonLogger } from '../logging/json-logger';
import { parseApiKey } from './api-key';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { ApiKeyStore, BootstrapKeyOutcome } from './api-key.store';

/** ADMIN_API_KEY as loaded (validated by ServiceConfig); undefined when unset. */
export const BOOTSTRAP_ADMIN_API_KEY = Symbol('plafond.auth.BOOTSTRAP_ADMIN_API_KEY');

const firstRetryDelayMs = 1_000;
const maxRetryDelayMs = 30_000;
/** About an hour of retries at the longest delay; then an operator has to look. */
const maxAttempts = 130;

/**
 * Makes the `bootstrap-admin` key match ADMIN_API_KEY at start: installed when set, revoked when
 * unset or replaced. The service does not wait on it: while the table is missing (migrations not
 * run yet) or the database is down, it retries in the background with a growing delay.
 */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private done: Promise<BootstrapKeyOutcome | undefined> | undefined;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly logger: JsonLogger,
    @Inject(BOOTSTRAP_ADMIN_API_KEY) private readonly adminApiKey: string | undefined,
  ) {}

  onApplicationBootstrap(): void {
    this.done = new Promise((resolve) => this.attempt(1, resolve));
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Settles once the key is in place (or given up on); for tests and start-up checks. */
  settled(): Promise<BootstrapKeyOutcome | undefined> {
    return this.done ?? Promise.resolve(undefined);
  }

  private attempt(
    attempt: number,
    resolve: (outcome: BootstrapKeyOutcome | undefined) => void,
  ): void {
    if (this.stopped) return resolve(undefined);
    const key = this.adminApiKey === undefined ? undefined : parseApiKey(this.adminApiKey);
    if (this.adminApiKey !== undefined && key === undefined) {
      // ServiceConfig validates the format; reaching this is a wiring mistake, not a bad value.
      this.logger.write('error', 'ADMIN_API_KEY is not an API key; ignored', {}, 'Auth');
      return resolve(undefined);
    }
    this.store.upsertBootstrapKey(key).then(
      (outcome) => {
        this.report(outcome);
        resolve(outcome);
      },
      (error: unknown) => {
        const giveUp = attempt >= maxAttempts;
        const delayMs = Math.min(firstRetryDelayMs * 2 ** (attempt - 1), maxRetryDelayMs);
        this.logger.write(
          giveUp ? 'error' : 'warn',
          giveUp
            ? 'could not apply ADMIN_API_KEY; giving up (restart the service to try again)'
            : 'could not apply ADMIN_API_KEY yet (is the schema migrated?); retrying',
          { err: error, attempt, ...(giveUp ? {} : { retryInMs: delayMs }) },
          'Auth',
        );
        if (giveUp || this.stopped) return resolve(undefined);
        this.timer = setTimeout(() => this.attempt(attempt + 1, resolve), delayMs);
        this.timer.unref();
      },
    );
  }

  private report(outcome: BootstrapKeyOutcome): void {
    for (const keyId of outcome.revoked) this.authenticator.forget(keyId);
    if (outcome.status !== 'none') this.authenticator.forget(outcome.keyId);
    const fields = { revoked: outcome.revoked };
    switch (outcome.status) {
      case 'installed':
        this.logger.write(
          'info',
          'bootstrap admin key active',
          { ...fields, keyId: outcome.keyId },
          'Auth',
        );
        return;
      case 'none':
        if (outcome.revoked.length > 0) {
          this.logger.write(
            'info',
            'ADMIN_API_KEY unset: bootstrap admin key revoked',
            fields,
            'Auth',
          );
        }
        return;
      case 'refused_revoked':
        this.logger.write(
          'error',
          'ADMIN_API_KEY names a key that was revoked; it stays revoked: set a new ADMIN_API_KEY',
          { ...fields, keyId: outcome.keyId },
          'Auth',
        );
        return;
      case 'refused_conflict':
        this.logger.write(
          'error',
          'ADMIN_API_KEY has the key id of a key created through the API; not installed',
          { ...fields, keyId: outcome.keyId },
          'Auth',
        );
        return;
      default: {
        const unexpected: never = outcome;
        throw new Error(`unexpected bootstrap outcome ${JSON.stringify(unexpected)}`);
      }
    }
  }
}
