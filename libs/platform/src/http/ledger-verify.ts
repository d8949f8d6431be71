// What every service's `GET /v1/admin/ledger/verify` answers: the ledger's VerifyResult made
// JSON-safe (a broken link's positions are bigints). Kept here, beside the other HTTP pieces,
// because it needs no ledger import: the view only describes the JSON.
import { ApiProperty } from '@nestjs/swagger';

const MAX_DEPTH = 32;

/**
 * bigint → decimal string (like every quantity in the API), Date → ISO-8601, Map → object,
 * recursively (JSON has none of them). Status objects carry ledger checkpoints (bigint).
 */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth > MAX_DEPTH) return value;
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value.entries()].map(([key, entry]) => [String(key), jsonSafe(entry, depth + 1)]),
    );
  }
  if (Array.isArray(value)) return value.map((entry) => jsonSafe(entry, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, jsonSafe(entry, depth + 1)]),
    );
  }
  return value;
}

/** The OpenAPI view of a ledger verification: one shape, each service's own example counts. */
export function ledgerVerifyView(example: { eventsChecked: number; streamsChecked: number }) {
  // The class name is the schema name in each service's OpenAPI document.
  class LedgerVerifyView {
    @ApiProperty({ example: true }) ok!: boolean;
    @ApiProperty({ example: example.eventsChecked }) eventsChecked!: number;
    @ApiProperty({ example: example.streamsChecked }) streamsChecked!: number;
  }
  return LedgerVerifyView;
}
