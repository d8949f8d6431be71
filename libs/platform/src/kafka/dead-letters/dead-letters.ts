// Kafka records a consumer could not apply, kept in PostgreSQL so that none is lost and an admin
// can read them. One implementation for every service: each binds it to its own schema and
// transaction source (the ledger's EventStore fits `DeadLetterTransactions`). Writing one never
// blocks: the consumer moves past the record once its row is committed, and nothing in the
// record's content can make the write fail (PostgreSQL text and jsonb refuse U+0000, jsonb an
// unpaired surrogate; see `withoutNul` and `bytesJson`).
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { PlafondError } from '../../errors/plafond-error';
import { deadLettersTable } from './dead-letters.schema';

/** A JSON value (the same type as the ledger's `JsonValue`). */
export type DeadLetterJson =
  string | number | boolean | null | DeadLetterJson[] | { [key: string]: DeadLetterJson };

/** What the store runs SQL on (the ledger's `SqlExecutor`, e.g. `tx.sql`, is one). */
export interface DeadLetterSql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Opens transactions; the ledger's `EventStore` is one. */
export interface DeadLetterTransactions {
  transaction<T>(work: (tx: { readonly sql: DeadLetterSql }) => Promise<T>): Promise<T>;
}

/** Bytes as JSON: the UTF-8 text when the bytes are valid UTF-8, else their base64. */
export type BytesJson = string | { base64: string };

export interface DeadLetterInput {
  /** The inbox consumer name (the group id). */
  consumer: string;
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
  error: unknown;
}

export interface DeadLetterError {
  code: string;
  message: string;
  /** Contract issues (`{ path, code, message }[]`) or the domain error's details, when there are. */
  details: DeadLetterJson | null;
}

export interface DeadLetterView {
  id: string;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: BytesJson | null;
  headers: Record<string, BytesJson | BytesJson[]>;
  valueBytes: number;
  /** The first 4 KiB of the value (the whole value from `get`); null for a null value. */
  value: BytesJson | null;
  valueTruncated: boolean;
  error: DeadLetterError;
  receivedAt: string;
}

export interface DeadLetterPage {
  items: DeadLetterView[];
  /** Pass as `after` for the next page; null when this page is the last. */
  nextAfter: string | null;
}

export const DEAD_LETTER_LIST_LIMITS = { defaultLimit: 50, maxLimit: 200, previewBytes: 4096 };
const MAX_ERROR_MESSAGE_CHARS = 2000;
const MAX_DETAILS_JSON_CHARS = 100_000;
const UNEXPECTED_ERROR_CODE = 'MESSAGING.UNEXPECTED_ERROR';

interface DeadLetterRow {
  dead_letter_id: string;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  headers: Record<string, BytesJson | BytesJson[]>;
  value_bytes: number | null;
  value: Buffer | null;
  error_code: string;
  error_message: string;
  error_details: DeadLetterJson | null;
  received_at: Date;
}

/** The dead letters of one schema's `dead_letters` table (see `deadLetterTableStatements`). */
export class DeadLetters {
  private readonly table: string;

  constructor(
    private readonly store: DeadLetterTransactions,
    schema: string,
  ) {
    this.table = deadLettersTable(schema);
  }

  /**
   * Stores one record; `sql` is a transaction the caller owns, else a transaction of its own.
   * Returns false if the record (consumer, topic, partition, offset) was already there.
   */
  async record(input: DeadLetterInput, sql?: DeadLetterSql): Promise<boolean> {
    const error = describeDeadLetterError(input.error);
    const write = async (executor: DeadLetterSql) => {
      const rows = await executor.query(
        `INSERT INTO ${this.table}
           (consumer, topic, partition, "offset", key, headers, value,
            error_code, error_message, error_details)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb)
         ON CONFLICT ON CONSTRAINT dead_letters_record_key DO NOTHING
         RETURNING dead_letter_id`,
        [
          input.consumer,
          input.topic,
          input.partition,
          input.message.offset,
          toBuffer(input.message.key),
          JSON.stringify(headersJson(input.message.headers)),
          toBuffer(input.message.value),
          error.code,
          error.message,
          error.details === null ? null : JSON.stringify(error.details),
        ],
      );
      return rows.length === 1;
    };
    return sql === undefined ? this.store.transaction((tx) => write(tx.sql)) : write(sql);
  }

  /** Oldest first, `limit` (1..200, default 50) rows after the id `after`; values are previews. */
  async list(options: { limit?: number; after?: string } = {}): Promise<DeadLetterPage> {
    const limit = options.limit ?? DEAD_LETTER_LIST_LIMITS.defaultLimit;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > DEAD_LETTER_LIST_LIMITS.maxLimit) {
      throw new PlafondError(
        'REQUEST.INVALID',
        `limit must be an integer in [1, ${DEAD_LETTER_LIST_LIMITS.maxLimit}]`,
        { field: 'limit' },
      );
    }
    const after = options.after ?? '0';
    if (!/^(0|[1-9][0-9]{0,17})$/.test(after)) {
      throw new PlafondError('REQUEST.INVALID', 'after must be a dead letter id', {
        field: 'after',
      });
    }
    const rows = await this.select(
      `WHERE dead_letter_id > $1 ORDER BY dead_letter_id LIMIT $2`,
      [after, limit + 1],
      DEAD_LETTER_LIST_LIMITS.previewBytes,
    );
    const items = rows.slice(0, limit).map(toView);
    const last = items.at(-1);
    return { items, nextAfter: rows.length > limit && last !== undefined ? last.id : null };
  }

  /** One dead letter with its whole value, or null. */
  async get(id: string): Promise<DeadLetterView | null> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return null;
    const [row] = await this.select(`WHERE dead_letter_id = $1`, [id], null);
    return row === undefined ? null : toView(row);
  }

  async count(): Promise<number> {
    const rows = await this.store.transaction((tx) =>
      tx.sql.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${this.table}`),
    );
    return Number(rows[0]?.count ?? '0');
  }

  private select(
    where: string,
    params: readonly unknown[],
    previewBytes: number | null,
  ): Promise<DeadLetterRow[]> {
    const value = previewBytes === null ? 'value' : `substring(value FROM 1 FOR ${previewBytes})`;
    return this.store.transaction((tx) =>
      tx.sql.query<DeadLetterRow>(
        `SELECT dead_letter_id::text AS dead_letter_id, consumer, topic, partition,
                "offset"::text AS "offset", key, headers, octet_length(value) AS value_bytes,
                ${value} AS value, error_code, error_message, error_details, received_at
         FROM ${this.table} ${where}`,
        params,
      ),
    );
  }
}

function toView(row: DeadLetterRow): DeadLetterView {
  const valueBytes = row.value_bytes ?? 0;
  const valueTruncated = row.value !== null && row.value.byteLength < valueBytes;
  return {
    id: row.dead_letter_id,
    consumer: row.consumer,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    key: row.key === null ? null : bytesJson(row.key, false),
    headers: row.headers,
    valueBytes,
    value: row.value === null ? null : bytesJson(row.value, valueTruncated),
    valueTruncated,
    error: { code: row.error_code, message: row.error_message, details: row.error_details },
    receivedAt: new Date(row.received_at).toISOString(),
  };
}

/** Code, message and JSON details of whatever a consumer refused a record with. */
export function describeDeadLetterError(error: unknown): DeadLetterError {
  const fields =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code =
    typeof fields.code === 'string' && fields.code.length > 0
      ? withoutNul(fields.code)
      : UNEXPECTED_ERROR_CODE;
  const message = withoutNul(
    (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_MESSAGE_CHARS),
  );
  const raw = Array.isArray(fields.issues) ? { issues: fields.issues } : (fields.details ?? null);
  return { code, message, details: boundedJson(raw) };
}

function boundedJson(value: unknown): DeadLetterJson | null {
  if (value === null || value === undefined) return null;
  try {
    const text = JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      if (typeof item === 'string') return withoutNul(item);
      if (typeof item === 'object' && item !== null && !Array.isArray(item))
        return Object.fromEntries(
          Object.entries(item as Record<string, unknown>).map(([k, v]) => [withoutNul(k), v]),
        );
      return item;
    });
    if (text === undefined) return null;
    if (text.length > MAX_DETAILS_JSON_CHARS) return { truncated: true };
    return JSON.parse(text) as DeadLetterJson;
  } catch {
    return null;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * PostgreSQL text and jsonb cannot hold U+0000, nor jsonb an unpaired surrogate (a dead letter
 * that fails to be written would block its partition): both become U+FFFD in error texts and
 * header names.
 */
function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * The bytes as text when they are valid UTF-8 without NUL (jsonb cannot hold U+0000), else
 * base64. A truncated preview may end inside a character: up to three trailing bytes are dropped
 * before giving up on text.
 */
export function bytesJson(bytes: Buffer, truncated: boolean): BytesJson {
  const attempts = bytes.includes(0) ? 0 : truncated ? 4 : 1;
  for (let drop = 0; drop < attempts && drop <= bytes.byteLength; drop++) {
    try {
      return utf8.decode(bytes.subarray(0, bytes.byteLength - drop));
    } catch {
      // not (yet) valid UTF-8
    }
  }
  return { base64: bytes.toString('base64') };
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function headersJson(headers: IHeaders | undefined): Record<string, BytesJson | BytesJson[]> {
  const result: Record<string, BytesJson | BytesJson[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const one = (item: Buffer | string): BytesJson =>
      bytesJson(typeof item === 'string' ? Buffer.from(item, 'utf8') : item, false);
    result[withoutNul(name)] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return result;
}
