/** Given by the edge (HTTP: the API key; Kafka: the consumer) to every command. */
export interface CommandContext {
  /** e.g. `finance:k3x9q2m7p1aa`; goes to `metadata.actor` of every event. */
  readonly actor: string;
  readonly correlationId?: string;
  /** Free text stated by the caller; goes to `metadata.reason`. */
  readonly reason?: string;
}
