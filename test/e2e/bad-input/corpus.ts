// The bad-input corpus: requests and Kafka records a misbehaving client sends, as DATA, one line
// per case. bad-input.e2e-spec.ts sends each to the running system (three processes, PostgreSQL,
// Kafka) and asserts its documented answer, that nothing changed, and that the services still
// serve. To add a case, add one line below (README.md).
//
// Instants are derived from one reading of the clock when the file loads, as the system scenario
// does: P is the previous calendar month (UTC), C the current one.

/** Who calls: the keys the spec creates in its set-up (see bad-input.e2e-spec.ts). */
export type KeyRole =
  | 'none' // no Authorization header
  | 'garbage' // a string that is not a key
  | 'admin'
  | 'service' // allocation `service` key (the gateway)
  | 'manager' // allocation `unit_manager` scoped to `support`
  | 'integrator' // ingestion key of an integrator allowed every unit
  | 'restricted' // ingestion key of an integrator restricted to `research`
  | 'finance' // billing `finance` key
  | 'billing-manager'; // billing `unit_manager` scoped to `support`

export type Service = 'allocation' | 'ingestion' | 'billing';

export interface HttpCase {
  readonly id: string;
  readonly service: Service;
  /** `METHOD /path` */
  readonly target: string;
  readonly key: KeyRole;
  /** Raw body: a string is sent as UTF-8, a Buffer byte for byte (invalid UTF-8). */
  readonly body?: string | Buffer;
  /** Default `application/json` when there is a body. */
  readonly contentType?: string;
  /**
   * `code`: the error body's code (the whole request refused). `item`: ingestion's batch answer
   * (200) rejecting its one item with this code — recorded as one UsageRejected, nothing else.
   */
  readonly expect:
    | { readonly status: number; readonly code: string; readonly item?: undefined }
    | { readonly status: 200; readonly item: string; readonly code?: undefined };
}

export interface RawCase {
  readonly id: string;
  /** Record key; default the unit `research`. */
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The record's value; must contain the case id, so its rejection can be found. */
  readonly value: string | Buffer;
  /** The first reason's code on plafond.usage.rejected.v1. */
  readonly rejected: string;
}

const DAY_MS = 86_400_000;
const NOW = Date.now();
const START_C = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), 1);
const START_P = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() - 1, 1);
export const P = new Date(START_P).toISOString().slice(0, 7);
export const C = new Date(START_C).toISOString().slice(0, 7);
export const CALENDAR = { NOW, START_C, START_P, DAY_MS } as const;
const iso = (ms: number) => new Date(ms).toISOString();
/** A minute ago, never before C started. */
const RECENTLY = iso(Math.max(START_C + 60_000, NOW - 60_000));

/** A JSON token written verbatim (NaN, Infinity, -0, 1e9: what JSON.stringify cannot produce). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new Raw(text);
const OMIT = Symbol('omit');
type Value =
  string | number | boolean | null | Raw | typeof OMIT | Value[] | { [k: string]: Value };

/** JSON with Raw tokens; OMIT drops a field. */
function json(value: Value): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== OMIT)
      .map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** A valid usage item for `research`; each case overrides what it breaks. */
const usageItem = (id: string, over: Record<string, Value> = {}): Record<string, Value> => ({
  id,
  unitId: 'research',
  useCase: 'incident-triage',
  model: 'meta-llama/meta-llama-3.1-70b-instruct',
  region: 'fr',
  requests: '1',
  measuredEnergyMicroWh: '1000000',
  occurredAt: RECENTLY,
  ...over,
});
/** An HTTP batch of one item. */
const batch = (id: string, over: Record<string, Value> = {}) => json([usageItem(id, over)]);
/** A structured CloudEvent for the raw topic, `data` overridden. */
const event = (id: string, over: Record<string, Value> = {}, attrs: Record<string, Value> = {}) =>
  json({
    specversion: '1.0',
    id,
    source: 'urn:badinput:gateway',
    type: 'org.plafond.usage.reported.v1',
    datacontenttype: 'application/json',
    data: (({ id: _id, ...rest }) => rest)(usageItem(id, over)),
    ...attrs,
  });

/** A valid reservation; each case overrides what it breaks. */
const reservation = (id: string, over: Record<string, Value> = {}) =>
  json({
    reservationId: id,
    unitId: 'research',
    useCase: 'incident-triage',
    amount: '1000',
    timeoutMs: 60_000,
    ...over,
  });

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A valid body whose `INVALID` placeholder becomes bytes that are not UTF-8 (C3 28, FF). */
const withInvalidUtf8 = (body: string) => {
  const [head = '', tail = ''] = body.split('INVALID');
  return Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(tail)]);
};
const MIB = 1024 * 1024;
/** A price schedule billing accepts (from the current month); the cases change one field of it. */
export const VALID_SCHEDULE = {
  currency: 'EUR',
  effectiveFrom: iso(START_C),
  carbonPricePerTonne: '100.00',
  energyPricePerKwh: '0.25',
  classMultipliers: { essential: '1' },
  defaultMultiplier: '1',
  overrunTiers: [],
  reason: 'bad input',
};
const SCHEDULE = (over: Record<string, Value>) => json({ ...VALID_SCHEDULE, ...over });

const R = 'POST /v1/reservations';
const U = 'POST /v1/usage';
const code = (status: number, c: string) => ({ status, code: c });
const item = (c: string) => ({ status: 200 as const, item: c });

// prettier-ignore
export const HTTP_CASES: readonly HttpCase[] = [
  // ── allocation: reservations ─────────────────────────────────────────────────────────────
  { id: 'alloc-malformed-json', service: 'allocation', target: R, key: 'service', body: '{"reservationId":"x",', expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-empty-body', service: 'allocation', target: R, key: 'service', body: '', expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-body-array', service: 'allocation', target: R, key: 'service', body: '[]', expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-number-type', service: 'allocation', target: R, key: 'service', body: reservation('a1', { amount: true }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-missing', service: 'allocation', target: R, key: 'service', body: reservation('a2', { amount: OMIT }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-unit-missing', service: 'allocation', target: R, key: 'service', body: reservation('a3', { unitId: OMIT }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-extra-field', service: 'allocation', target: R, key: 'service', body: reservation('a4', { sneaky: 'x' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-nan', service: 'allocation', target: R, key: 'service', body: reservation('a5', { amount: raw('NaN') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-amount-infinity', service: 'allocation', target: R, key: 'service', body: reservation('a6', { amount: raw('Infinity') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-amount-minus-infinity', service: 'allocation', target: R, key: 'service', body: reservation('a7', { amount: raw('-Infinity') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-amount-minus-zero', service: 'allocation', target: R, key: 'service', body: reservation('a8', { amount: raw('-0') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-exponent-number', service: 'allocation', target: R, key: 'service', body: reservation('a9', { amount: raw('1e3') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-exponent-number-upper', service: 'allocation', target: R, key: 'service', body: reservation('a9b', { amount: raw('1E+3') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-exponent-number-negative', service: 'allocation', target: R, key: 'service', body: reservation('a9c', { amount: raw('-2.5e-1') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-exponent-string', service: 'allocation', target: R, key: 'service', body: reservation('a10', { amount: '1e3' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-beyond-2p53', service: 'allocation', target: R, key: 'service', body: reservation('a11', { amount: raw('9007199254740993') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-float', service: 'allocation', target: R, key: 'service', body: reservation('a12', { amount: raw('10.5') }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-negative', service: 'allocation', target: R, key: 'service', body: reservation('a13', { amount: '-1000' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-zero', service: 'allocation', target: R, key: 'service', body: reservation('a14', { amount: '0' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-amount-leading-zero', service: 'allocation', target: R, key: 'service', body: reservation('a15', { amount: '0100' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-unknown-unit', service: 'allocation', target: R, key: 'service', body: reservation('a16', { unitId: 'nowhere' }), expect: code(422, 'RESERVATION.NO_OPEN_BUDGET') },
  { id: 'alloc-unknown-use-case', service: 'allocation', target: R, key: 'service', body: reservation('a17', { useCase: 'astrology' }), expect: code(404, 'CATALOG.USE_CASE_NOT_FOUND') },
  { id: 'alloc-unit-mismatch-dimension', service: 'allocation', target: R, key: 'service', body: reservation('a18', { dimension: 'tokens' }), expect: code(422, 'RESERVATION.NO_OPEN_BUDGET') },
  { id: 'alloc-closed-budget', service: 'allocation', target: R, key: 'service', body: reservation('a19', { budgetId: 'bad-closed' }), expect: code(422, 'BUDGET.PERIOD_CLOSED') },
  { id: 'alloc-timeout-string', service: 'allocation', target: R, key: 'service', body: reservation('a20', { timeoutMs: 'soon' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-id-too-long', service: 'allocation', target: R, key: 'service', body: reservation('x'.repeat(91)), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-deep-nesting', service: 'allocation', target: R, key: 'service', body: reservation('a21', { useCase: raw(nested(5000)) }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-oversized', service: 'allocation', target: R, key: 'service', body: reservation('a22', { reason: 'x'.repeat(2 * MIB) }), expect: code(413, 'REQUEST.TOO_LARGE') },
  { id: 'alloc-invalid-utf8', service: 'allocation', target: R, key: 'service', body: withInvalidUtf8(reservation('a23', { reason: 'INVALID' })), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'alloc-text-plain', service: 'allocation', target: R, key: 'service', body: reservation('a24'), contentType: 'text/plain', expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-no-key', service: 'allocation', target: R, key: 'none', body: reservation('a25'), expect: code(401, 'AUTH.UNAUTHENTICATED') },
  { id: 'alloc-garbage-key', service: 'allocation', target: R, key: 'garbage', body: reservation('a26'), expect: code(401, 'AUTH.UNAUTHENTICATED') },
  { id: 'alloc-manager-other-subtree', service: 'allocation', target: R, key: 'manager', body: reservation('a27'), expect: code(403, 'AUTH.FORBIDDEN') },
  { id: 'alloc-integrator-key', service: 'allocation', target: R, key: 'integrator', body: reservation('a28'), expect: code(401, 'AUTH.UNAUTHENTICATED') },
  { id: 'alloc-commit-unknown', service: 'allocation', target: 'POST /v1/reservations/nope/commit', key: 'service', body: '{"amount":"5"}', expect: code(404, 'RESERVATION.NOT_FOUND') },
  // ── allocation: admin writes ─────────────────────────────────────────────────────────────
  { id: 'alloc-service-creates-unit', service: 'allocation', target: 'POST /v1/units', key: 'service', body: '{"unitId":"u-bad","parentId":null,"name":"x"}', expect: code(403, 'AUTH.FORBIDDEN') },
  { id: 'alloc-unit-name-number', service: 'allocation', target: 'POST /v1/units', key: 'admin', body: '{"unitId":"u-bad","parentId":"acme","name":42}', expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-unit-unknown-parent', service: 'allocation', target: 'POST /v1/units', key: 'admin', body: '{"unitId":"u-bad","parentId":"ghost","name":"x"}', expect: code(404, 'UNIT.NOT_FOUND') },
  { id: 'alloc-budget-ends-before-start', service: 'allocation', target: 'POST /v1/budgets', key: 'admin', body: json({ budgetId: 'b-bad', perimeterUnitId: 'acme', dimension: 'energy', period: { kind: 'range', startsOn: '2026-03-31', endsOn: '2026-03-01' }, timeZone: 'UTC', mode: 'hard', ceiling: '1000', reason: 'x' }), expect: code(400, 'BUDGET.PERIOD_INVALID') },
  { id: 'alloc-budget-unknown-zone', service: 'allocation', target: 'POST /v1/budgets', key: 'admin', body: json({ budgetId: 'b-bad', perimeterUnitId: 'acme', dimension: 'energy', period: { kind: 'range', startsOn: '2030-03-01', endsOn: '2030-03-31' }, timeZone: 'Mars/Olympus', mode: 'hard', ceiling: '1000', reason: 'x' }), expect: code(400, 'BUDGET.TIME_ZONE_INVALID') },
  { id: 'alloc-budget-unknown-dimension', service: 'allocation', target: 'POST /v1/budgets', key: 'admin', body: json({ budgetId: 'b-bad', perimeterUnitId: 'acme', dimension: 'joules', period: { kind: 'range', startsOn: '2030-03-01', endsOn: '2030-03-31' }, timeZone: 'UTC', mode: 'hard', ceiling: '1000', reason: 'x' }), expect: code(400, 'REQUEST.INVALID') },
  { id: 'alloc-use-case-unknown-class', service: 'allocation', target: 'POST /v1/use-cases', key: 'admin', body: '{"useCase":"uc-bad","className":"vital","description":"x"}', expect: code(404, 'CATALOG.CLASS_NOT_FOUND') },
  { id: 'alloc-close-open-period', service: 'allocation', target: 'POST /v1/budgets/bad-energy/close', key: 'admin', body: '{}', expect: code(422, 'BUDGET.PERIOD_NOT_ENDED') },
  { id: 'alloc-balance-bad-asof', service: 'allocation', target: 'GET /v1/budgets/bad-energy/units/research/balance?asOf=yesterday', key: 'admin', expect: code(400, 'REQUEST.INVALID') },
  // ── ingestion: the HTTP batch (whole-batch refusals) ────────────────────────────────────
  { id: 'ingest-malformed-json', service: 'ingestion', target: U, key: 'integrator', body: '[{"id":"i1",', expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-empty-batch', service: 'ingestion', target: U, key: 'integrator', body: '[]', expect: code(400, 'INGEST.BATCH_EMPTY') },
  { id: 'ingest-not-array', service: 'ingestion', target: U, key: 'integrator', body: json(usageItem('i2')), expect: code(400, 'INGEST.BATCH_NOT_ARRAY') },
  { id: 'ingest-too-many-items', service: 'ingestion', target: U, key: 'integrator', body: json(Array.from({ length: 1001 }, (_, n) => usageItem(`i3-${n}`))), expect: code(413, 'INGEST.BATCH_TOO_LARGE') },
  { id: 'ingest-oversized', service: 'ingestion', target: U, key: 'integrator', body: batch('i4', { model: 'x'.repeat(2 * MIB) }), expect: code(413, 'REQUEST.TOO_LARGE') },
  { id: 'ingest-text-plain', service: 'ingestion', target: U, key: 'integrator', body: batch('i5'), contentType: 'text/plain', expect: code(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE') },
  { id: 'ingest-invalid-utf8', service: 'ingestion', target: U, key: 'integrator', body: withInvalidUtf8(batch('i6', { model: 'INVALID' })), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-nan', service: 'ingestion', target: U, key: 'integrator', body: batch('i7', { measuredEnergyMicroWh: raw('NaN') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-infinity', service: 'ingestion', target: U, key: 'integrator', body: batch('i8', { measuredEnergyMicroWh: raw('Infinity') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-minus-infinity', service: 'ingestion', target: U, key: 'integrator', body: batch('i9', { measuredEnergyMicroWh: raw('-Infinity') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-deep-nesting', service: 'ingestion', target: U, key: 'integrator', body: `[${json(usageItem('i10', { model: raw(nested(5000)) }))}]`, expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'ingest-no-key', service: 'ingestion', target: U, key: 'none', body: batch('i11'), expect: code(401, 'AUTH.UNAUTHENTICATED') },
  { id: 'ingest-service-key', service: 'ingestion', target: U, key: 'service', body: batch('i12'), expect: code(401, 'AUTH.UNAUTHENTICATED') },
  { id: 'ingest-integrator-registers', service: 'ingestion', target: 'POST /v1/integrators', key: 'integrator', body: '{"integratorId":"x","name":"x","source":"urn:x","unitIds":null}', expect: code(403, 'AUTH.FORBIDDEN') },
  { id: 'ingest-integrator-nul-name', service: 'ingestion', target: 'POST /v1/integrators', key: 'admin', body: '{"integratorId":"x","name":"a\\u0000b","source":"urn:x","unitIds":null}', expect: code(400, 'REQUEST.INVALID') },
  // ── ingestion: items rejected one by one (200, one UsageRejected each) ───────────────────
  { id: 'ingest-energy-wrong-type', service: 'ingestion', target: U, key: 'integrator', body: batch('i20', { measuredEnergyMicroWh: true }), expect: item('QUANTITY.INVALID_TYPE') },
  { id: 'ingest-unit-missing', service: 'ingestion', target: U, key: 'integrator', body: batch('i21', { unitId: OMIT }), expect: item('USAGE.MISSING_FIELD') },
  { id: 'ingest-id-missing', service: 'ingestion', target: U, key: 'integrator', body: batch('i22', { id: OMIT }), expect: item('CLOUDEVENT.MISSING_ATTRIBUTE') },
  { id: 'ingest-extra-field', service: 'ingestion', target: U, key: 'integrator', body: batch('i23', { sneaky: 'x' }), expect: item('USAGE.UNKNOWN_FIELD') },
  { id: 'ingest-minus-zero', service: 'ingestion', target: U, key: 'integrator', body: batch('i24', { measuredEnergyMicroWh: raw('-0') }), expect: item('QUANTITY.NEGATIVE') },
  // Not bad input: `1e6` as a JSON number is exact, and docs/integrator-guide.md accepts JSON
  // numbers while exact (the string "1e6" is refused, below).
  { id: 'ingest-exponent-string', service: 'ingestion', target: U, key: 'integrator', body: batch('i26', { measuredEnergyMicroWh: '1e6' }), expect: item('QUANTITY.EXPONENT') },
  { id: 'ingest-beyond-2p53', service: 'ingestion', target: U, key: 'integrator', body: batch('i27', { measuredEnergyMicroWh: raw('9007199254740993') }), expect: item('QUANTITY.OUT_OF_RANGE') },
  { id: 'ingest-negative', service: 'ingestion', target: U, key: 'integrator', body: batch('i28', { measuredEnergyMicroWh: '-5' }), expect: item('QUANTITY.NEGATIVE') },
  { id: 'ingest-float', service: 'ingestion', target: U, key: 'integrator', body: batch('i29', { measuredEnergyMicroWh: raw('1.5') }), expect: item('QUANTITY.NOT_AN_INTEGER') },
  { id: 'ingest-unknown-unit', service: 'ingestion', target: U, key: 'integrator', body: batch('i30', { unitId: 'nowhere' }), expect: item('INGEST.UNKNOWN_UNIT') },
  { id: 'ingest-unknown-use-case', service: 'ingestion', target: U, key: 'integrator', body: batch('i31', { useCase: 'astrology' }), expect: item('INGEST.UNKNOWN_USE_CASE') },
  // Not bad input: an unknown region is rated at the world mix (docs/conversion.md).
  { id: 'ingest-tokens-wrong-type', service: 'ingestion', target: U, key: 'integrator', body: batch('i32', { measuredEnergyMicroWh: OMIT, inputTokens: { n: 1 }, outputTokens: '10' }), expect: item('QUANTITY.INVALID_TYPE') },
  { id: 'ingest-out-of-scope', service: 'ingestion', target: U, key: 'restricted', body: batch('i33', { unitId: 'support' }), expect: item('INGEST.UNIT_OUT_OF_SCOPE') },
  { id: 'ingest-foreign-source', service: 'ingestion', target: U, key: 'integrator', body: batch('i34', { source: 'urn:someone:else' }), expect: item('INGEST.SOURCE_NOT_ALLOWED') },
  { id: 'ingest-far-future', service: 'ingestion', target: U, key: 'integrator', body: batch('i35', { occurredAt: '2999-01-01T00:00:00Z' }), expect: item('INGEST.IN_FUTURE') },
  { id: 'ingest-far-past', service: 'ingestion', target: U, key: 'integrator', body: batch('i36', { occurredAt: '1970-01-01T00:00:00Z' }), expect: item('INGEST.TOO_LATE') },
  { id: 'ingest-past-lateness', service: 'ingestion', target: U, key: 'integrator', body: batch('i37', { occurredAt: iso(NOW - 71 * DAY_MS) }), expect: item('INGEST.TOO_LATE') },
  { id: 'ingest-boundary-no-zone', service: 'ingestion', target: U, key: 'integrator', body: batch('i38', { occurredAt: iso(START_C).slice(0, 19) }), expect: item('USAGE.INVALID_TIMESTAMP') },
  { id: 'ingest-boundary-feb-30', service: 'ingestion', target: U, key: 'integrator', body: batch('i39', { occurredAt: '2026-02-30T00:00:00Z' }), expect: item('USAGE.INVALID_TIMESTAMP') },
  { id: 'ingest-duplicate-conflict', service: 'ingestion', target: U, key: 'integrator', body: batch('warm-up', { measuredEnergyMicroWh: '2000000' }), expect: item('INGEST.DUPLICATE_CONFLICT') },
  { id: 'ingest-cloudevent-wrong-type', service: 'ingestion', target: U, key: 'integrator', body: `[${event('i40', {}, { type: 'org.plafond.other.v1', source: 'urn:badinput:gateway' })}]`, expect: item('INGEST.UNSUPPORTED_TYPE') },
  // ── billing ──────────────────────────────────────────────────────────────────────────────
  { id: 'bill-malformed-json', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: '{"currency":', expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'bill-price-number', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ carbonPricePerTonne: raw('100') }), expect: code(400, 'BILLING.INVALID_SCHEDULE') },
  { id: 'bill-price-exponent', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ carbonPricePerTonne: '1e2' }), expect: code(400, 'BILLING.INVALID_SCHEDULE') },
  { id: 'bill-price-negative', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ energyPricePerKwh: '-0.25' }), expect: code(400, 'BILLING.INVALID_SCHEDULE') },
  { id: 'bill-price-nan', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ energyPricePerKwh: raw('NaN') }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'bill-currency-missing', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ currency: OMIT }), expect: code(400, 'BILLING.INVALID_SCHEDULE') },
  { id: 'bill-schedule-extra-field', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ sneaky: 'x' }), expect: code(400, 'BILLING.INVALID_SCHEDULE') },
  { id: 'bill-schedule-in-closed-period', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ currency: 'USD', effectiveFrom: iso(START_P + 5 * DAY_MS) }), expect: code(409, 'BILLING.SCHEDULE_IN_CLOSED_PERIOD') },
  { id: 'bill-close-closed-period', service: 'billing', target: `POST /v1/periods/${P}/close`, key: 'finance', body: '{}', expect: code(409, 'BILLING.PERIOD_ALREADY_CLOSED') },
  { id: 'bill-close-current-period', service: 'billing', target: `POST /v1/periods/${C}/close`, key: 'finance', body: '{}', expect: code(409, 'BILLING.PERIOD_NOT_ENDED') },
  { id: 'bill-close-bad-period', service: 'billing', target: 'POST /v1/periods/2026-13/close', key: 'finance', body: '{}', expect: code(400, 'BILLING.INVALID_PERIOD') },
  { id: 'bill-oversized', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ reason: 'x'.repeat(2 * MIB) }), expect: code(413, 'REQUEST.TOO_LARGE') },
  { id: 'bill-invalid-utf8', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: withInvalidUtf8(SCHEDULE({ reason: 'INVALID' })), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'bill-deep-nesting', service: 'billing', target: 'POST /v1/price-schedules', key: 'finance', body: SCHEDULE({ classMultipliers: raw(nested(5000)) }), expect: code(400, 'REQUEST.MALFORMED_JSON') },
  { id: 'bill-profile-unknown-unit', service: 'billing', target: 'PUT /v1/billing-profiles/ghost', key: 'finance', body: '{"currency":"EUR","costCentre":"CC-1"}', expect: code(404, 'BILLING.UNIT_NOT_FOUND') },
  { id: 'bill-profile-currency-number', service: 'billing', target: 'PUT /v1/billing-profiles/research', key: 'finance', body: '{"currency":978,"costCentre":"CC-1"}', expect: code(400, 'BILLING.INVALID_PROFILE') },
  { id: 'bill-manager-writes-schedule', service: 'billing', target: 'POST /v1/price-schedules', key: 'billing-manager', body: SCHEDULE({}), expect: code(403, 'AUTH.FORBIDDEN') },
  { id: 'bill-manager-other-subtree', service: 'billing', target: `GET /v1/units/research/statement?period=${C}`, key: 'billing-manager', expect: code(403, 'AUTH.FORBIDDEN') },
  { id: 'bill-statement-bad-period', service: 'billing', target: 'GET /v1/units/research/statement?period=2026-00', key: 'finance', expect: code(400, 'BILLING.INVALID_PERIOD') },
  { id: 'bill-statement-far-period', service: 'billing', target: 'GET /v1/units/research/statement?period=3000-01', key: 'finance', expect: code(400, 'BILLING.INVALID_PERIOD') },
  { id: 'bill-effective-at-no-zone', service: 'billing', target: 'GET /v1/price-schedules/EUR/effective?at=2026-01-01T00:00:00', key: 'finance', expect: code(400, 'BILLING.INVALID_QUERY') },
  { id: 'bill-integrator-key', service: 'billing', target: `GET /v1/units/research/statement?period=${C}`, key: 'integrator', expect: code(401, 'AUTH.UNAUTHENTICATED') },
];

const K = (
  id: string,
  value: string | Buffer,
  rejected: string,
  extra: Partial<RawCase> = {},
): RawCase => ({ id, value, rejected, ...extra });

// prettier-ignore
export const RAW_CASES: readonly RawCase[] = [
  K('kafka-not-json', 'kafka-not-json {', 'CLOUDEVENT.INVALID_JSON'),
  K('kafka-invalid-utf8', Buffer.concat([ Buffer.from('{"id":"kafka-invalid-utf8","x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}'), ]), 'CLOUDEVENT.INVALID_UTF8'),
  K('kafka-unknown-source', event('kafka-unknown-source', {}, { source: 'urn:nobody' }), 'INGEST.SOURCE_UNKNOWN'),
  K('kafka-negative', event('kafka-negative', { measuredEnergyMicroWh: '-1' }), 'QUANTITY.NEGATIVE'),
  K('kafka-nan', event('kafka-nan', { measuredEnergyMicroWh: raw('NaN') }), 'CLOUDEVENT.INVALID_JSON'),
  K('kafka-exponent-string', event('kafka-exponent-string', { measuredEnergyMicroWh: '1e6' }), 'QUANTITY.EXPONENT'),
  K('kafka-beyond-2p53', event('kafka-beyond-2p53', { measuredEnergyMicroWh: raw('9007199254740993') }), 'QUANTITY.OUT_OF_RANGE'),
  K('kafka-unknown-unit', event('kafka-unknown-unit', { unitId: 'nowhere' }), 'INGEST.UNKNOWN_UNIT', { key: 'nowhere' }),
  K('kafka-out-of-scope', event('kafka-out-of-scope', { unitId: 'support' }, { source: 'urn:badinput:restricted' }), 'INGEST.UNIT_OUT_OF_SCOPE', { key: 'support' }),
  K('kafka-far-future', event('kafka-far-future', { occurredAt: '2999-01-01T00:00:00Z' }), 'INGEST.IN_FUTURE'),
  K('kafka-deep-nesting', event('kafka-deep-nesting', { model: raw(nested(5000)) }), 'CLOUDEVENT.DATA_NOT_JSON'),
  K('kafka-extra-field', event('kafka-extra-field', { sneaky: 'x' }), 'USAGE.UNKNOWN_FIELD'),
  K('kafka-unit-missing', event('kafka-unit-missing', { unitId: OMIT }), 'USAGE.MISSING_FIELD'),
  K('kafka-far-past', event('kafka-far-past', { occurredAt: '1970-01-01T00:00:00Z' }), 'INGEST.TOO_LATE'),
  K('kafka-binary-no-id', json({ ...usageItem('x', { model: 'kafka-binary-no-id' }), id: OMIT }), 'CLOUDEVENT.MISSING_ATTRIBUTE', { headers: { 'content-type': 'application/json', ce_specversion: '1.0', ce_source: 'urn:badinput:gateway', ce_type: 'org.plafond.usage.reported.v1' } }),
  K('kafka-wrong-type', event('kafka-wrong-type', {}, { type: 'org.plafond.other.v1' }), 'INGEST.UNSUPPORTED_TYPE'),
];

/** What the set-up sends before the corpus (the duplicate-conflict case reuses its id). */
export const WARM_UP_BATCH = batch('warm-up');
/** What must still work after the corpus. */
export const GOOD_BATCH = batch('after-corpus');
export const GOOD_RESERVATION = reservation('after-corpus');
