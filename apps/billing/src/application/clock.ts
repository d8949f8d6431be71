/** The service's clock, injected so tests can move time (close periods that ended, date lines). */
export const CLOCK = Symbol('plafond.billing.CLOCK');
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
