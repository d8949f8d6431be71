/** The service's clock, injected so tests can move time; nothing else here reads a clock. */
export const CLOCK = Symbol('plafond.ingestion.CLOCK');
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
