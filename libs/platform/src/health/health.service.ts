import { Inject, Injectable } from '@nestjs/common';
import { scrubSecrets } from '../logging/redact';
import { CheckDetails, READINESS_CHECKS, ReadinessCheck } from './readiness-checks';
import { ShutdownState } from './shutdown-state';
import { withTimeout } from './with-timeout';

export const READINESS_TIMEOUT_MS = Symbol('plafond:readiness-timeout-ms');

export type CheckResult =
  | ({ readonly status: 'up'; readonly durationMs: number } & CheckDetails)
  | { readonly status: 'down'; readonly durationMs: number; readonly error: string };

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable' | 'draining';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Every check runs in parallel, each bounded, so a probe answers within about timeoutMs. */
  async readiness(): Promise<ReadinessReport> {
    if (this.shutdown.draining) return { status: 'draining', checks: {} };
    const results = await Promise.all(this.checks.map((check) => this.run(check)));
    const checks = Object.fromEntries(results);
    const allUp = results.every(([, result]) => result.status === 'up');
    return { status: allUp ? 'ok' : 'unavailable', checks };
  }

  private async run(check: ReadinessCheck): Promise<[string, CheckResult]> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    try {
      const details = await withTimeout(check.check(), this.timeoutMs, `${check.name} check`);
      return [check.name, { ...details, status: 'up', durationMs: elapsed() }];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [check.name, { status: 'down', durationMs: elapsed(), error: scrubSecrets(message) }];
    }
  }
}
