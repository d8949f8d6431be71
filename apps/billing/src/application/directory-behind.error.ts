// Usage that names a unit or a use case billing has not learnt yet from allocation's events.
// Ingestion only accepts usage for units and use cases allocation announced, and nothing orders
// billing's two consumers: billing is behind, not wrong. Charging now would guess (the default
// profile instead of an inherited one, the default multiplier instead of the class's), so the
// usage is refused until the directory has caught up. Deliberately NOT a BillingError: every
// BillingError is a permanent refusal (dead letter); this one is retried by the inbox consumer.
export const DIRECTORY_BEHIND = 'BILLING.DIRECTORY_BEHIND';

export interface DirectoryBehindDetails {
  /** Inbox key of the usage.recorded CloudEvent. */
  readonly usageId: string;
  readonly unitId: string;
  readonly useCase: string;
  /** The unit, or an ancestor on its way to the root, billing has no UnitCreated of. */
  readonly unknownUnitIds: readonly string[];
  /** The use case when billing has no UseCaseRegistered of it, else null. */
  readonly unknownUseCase: string | null;
}

export class DirectoryBehindError extends Error {
  override readonly name = 'DirectoryBehindError';
  readonly code = DIRECTORY_BEHIND;
  /** Retry the same record later: the allocation consumer will catch up. */
  readonly retryable = true;

  constructor(readonly details: DirectoryBehindDetails) {
    super(
      `usage ${details.usageId} waits for allocation's events: ${[
        ...details.unknownUnitIds.map((id) => `unit ${id}`),
        ...(details.unknownUseCase === null ? [] : [`use case ${details.unknownUseCase}`]),
      ].join(', ')} not known to billing yet`,
    );
  }
}
