import { EnvVar, IntegerVar, ServiceConfig } from '@plafond/platform';

/** The allocation service's settings; everything is validated at start (see docs/configuration.md). */
export class AllocationConfig extends ServiceConfig {
  override port = 3001;
  override databaseSchema = 'allocation';
  override kafkaClientId = 'plafond-allocation';

  @EnvVar({
    name: 'RESERVATION_MAX_QUEUED',
    description:
      'Reservation commands (reserve, commit, release) this instance holds at once, from the ' +
      'call to the answer; beyond, a command is refused at once with 503 RESERVATION.BUSY ' +
      '(Retry-After: 1, nothing decided). Bounds the queue’s memory and latency.',
    example: '10000',
  })
  @IntegerVar(1, 1_000_000)
  reservationMaxQueued = 10_000;

  @EnvVar({
    name: 'RESERVATION_REFUSALS_FLUSH_MS',
    description:
      'How often refused reservations, counted in memory per budget, unit, reason, usefulness ' +
      'class and minute, are written to the reservation_refusals table that GET ' +
      '/v1/budgets/{budgetId}/refusals reads (the refused reserve itself never waits for it).',
    example: '1000',
  })
  @IntegerVar(50, 60_000)
  reservationRefusalsFlushMs = 1_000;
}
