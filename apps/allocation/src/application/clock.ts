/** The service's clock, injected so tests can move time; the domain never reads a clock itself. */
export const CLOCK = Symbol('plafond.allocation.CLOCK');
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
