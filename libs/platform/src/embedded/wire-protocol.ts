// The few parts of the PostgreSQL wire protocol (v3) the multiplexer needs: splitting what a
// client sends into messages, renaming its prepared statements, and following what the server
// answers far enough to see each ReadyForQuery and its transaction status.
// Reference: https://www.postgresql.org/docs/current/protocol-message-formats.html

/** First packets a client may send before its startup message (they carry no type byte). */
const SSL_REQUEST_CODE = 80877103;
const GSS_ENCRYPTION_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;

/** A message longer than this is a broken or hostile client, not a query. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export type FrontendPacket =
  | { readonly kind: 'encryption-request' }
  | { readonly kind: 'cancel-request' }
  | { readonly kind: 'startup'; readonly bytes: Buffer }
  | { readonly kind: 'message'; readonly type: string; readonly bytes: Buffer };

export class ProtocolViolation extends Error {}

/** Splits a client's byte stream into packets; feed it every chunk the socket delivers. */
export class FrontendReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private started = false;

  push(chunk: Buffer): FrontendPacket[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const packets: FrontendPacket[] = [];
    for (let packet = this.next(); packet !== undefined; packet = this.next()) {
      packets.push(packet);
    }
    return packets;
  }

  private next(): FrontendPacket | undefined {
    return this.started ? this.nextMessage() : this.nextStartupPacket();
  }

  private nextStartupPacket(): FrontendPacket | undefined {
    const head = this.peek(8);
    if (head === undefined) return undefined;
    const length = head.readInt32BE(0);
    const code = head.readInt32BE(4);
    if (length === 8 && (code === SSL_REQUEST_CODE || code === GSS_ENCRYPTION_REQUEST_CODE)) {
      this.take(8);
      return { kind: 'encryption-request' };
    }
    if (length === 16 && code === CANCEL_REQUEST_CODE) {
      if (this.buffered < 16) return undefined;
      this.take(16);
      return { kind: 'cancel-request' };
    }
    this.checkLength(length, 8);
    if (this.buffered < length) return undefined;
    this.started = true;
    return { kind: 'startup', bytes: this.take(length) };
  }

  private nextMessage(): FrontendPacket | undefined {
    const head = this.peek(5);
    if (head === undefined) return undefined;
    const length = head.readInt32BE(1);
    this.checkLength(length, 4);
    if (this.buffered < length + 1) return undefined;
    return {
      kind: 'message',
      type: String.fromCharCode(head[0] ?? 0),
      bytes: this.take(length + 1),
    };
  }

  private checkLength(length: number, minimum: number): void {
    if (length < minimum || length > MAX_MESSAGE_BYTES) {
      throw new ProtocolViolation(`invalid message length ${length}`);
    }
  }

  private peek(size: number): Buffer | undefined {
    if (this.buffered < size) return undefined;
    this.compact();
    return this.chunks[0]?.subarray(0, size);
  }

  private take(size: number): Buffer {
    this.compact();
    const all = this.chunks[0] ?? Buffer.alloc(0);
    const taken = Buffer.from(all.subarray(0, size));
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= size;
    return taken;
  }

  /** Joins the buffered chunks (only when a message spans several; large ones arrive in many). */
  private compact(): void {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
  }
}

function readCString(bytes: Buffer, offset: number): { value: string; end: number } {
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new ProtocolViolation('unterminated string in message');
  return { value: bytes.toString('utf8', offset, end), end: end + 1 };
}

function rebuild(type: number, parts: readonly Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cString = (value: string): Buffer => Buffer.from(`${value}\0`, 'utf8');

export interface RenamedMessage {
  readonly bytes: Buffer;
  /** The server-side name of a statement this Parse creates. */
  readonly prepared?: string;
  /** The server-side name of a statement this Close drops. */
  readonly closed?: string;
}

/**
 * Gives the named prepared statements of one connection their own namespace on the shared
 * backend: `ledger_x` becomes `<prefix>ledger_x` in Parse, Bind, Describe 'S' and Close 'S'. The
 * unnamed statement and portals need nothing: a connection owns the database from its first
 * message to the next idle ReadyForQuery, and portals end with the transaction.
 */
export function renameStatements(message: Buffer, prefix: string): RenamedMessage {
  const type = message[0] ?? 0;
  const local = (name: string): string => `${prefix}${name}`;
  switch (String.fromCharCode(type)) {
    case 'P': {
      const name = readCString(message, 5);
      if (name.value === '') return { bytes: message };
      const prepared = local(name.value);
      return {
        bytes: rebuild(type, [cString(prepared), message.subarray(name.end)]),
        prepared,
      };
    }
    case 'B': {
      const portal = readCString(message, 5);
      const statement = readCString(message, portal.end);
      if (statement.value === '') return { bytes: message };
      return {
        bytes: rebuild(type, [
          message.subarray(5, portal.end),
          cString(local(statement.value)),
          message.subarray(statement.end),
        ]),
      };
    }
    case 'D':
    case 'C': {
      if (message[5] !== 0x53 /* 'S' statement, not 'P' portal */) return { bytes: message };
      const name = readCString(message, 6);
      if (name.value === '') return { bytes: message };
      const renamed = local(name.value);
      return {
        bytes: rebuild(type, [
          message.subarray(5, 6),
          cString(renamed),
          message.subarray(name.end),
        ]),
        ...(type === 0x43 ? { closed: renamed } : {}),
      };
    }
    default:
      return { bytes: message };
  }
}

/** Frontend messages the multiplexer sends on a connection's behalf when cleaning up. */
export const frontendMessages = {
  sync: (): Buffer => rebuild(0x53, []),
  query: (sql: string): Buffer => rebuild(0x51, [cString(sql)]),
  closeStatement: (name: string): Buffer => rebuild(0x43, [Buffer.from('S'), cString(name)]),
};

/** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E';

/**
 * Follows the server's answer message by message (across chunk boundaries, without buffering
 * rows) to tell whether the answer to one frontend message ended with ReadyForQuery, and with
 * which transaction status.
 */
export class ReadyForQueryTracker {
  private readonly header = Buffer.alloc(5);
  private headerBytes = 0;
  private bodyLeft = 0;
  private inReadyForQuery = false;
  private endedWithReady = false;
  private status: TransactionStatus = 'I';

  /** Call before each frontend message is executed. */
  begin(): void {
    this.endedWithReady = false;
  }

  feed(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const step = Math.min(this.bodyLeft, chunk.length - offset);
        if (this.inReadyForQuery) this.status = toStatus(chunk[offset]);
        offset += step;
        this.bodyLeft -= step;
        if (this.bodyLeft === 0) this.endedWithReady = this.inReadyForQuery;
        continue;
      }
      this.header[this.headerBytes++] = chunk[offset++] ?? 0;
      if (this.headerBytes < 5) continue;
      this.headerBytes = 0;
      this.inReadyForQuery = this.header[0] === 0x5a; /* 'Z' */
      this.bodyLeft = this.header.readInt32BE(1) - 4;
      this.endedWithReady = this.bodyLeft <= 0 && this.inReadyForQuery;
      if (this.bodyLeft < 0) throw new ProtocolViolation('invalid backend message length');
    }
  }

  /** The answer seen since begin() ended with ReadyForQuery 'I': outside any transaction. */
  get endedIdle(): boolean {
    return (
      this.endedWithReady && this.headerBytes === 0 && this.bodyLeft === 0 && this.status === 'I'
    );
  }

  get transactionStatus(): TransactionStatus {
    return this.status;
  }
}

function toStatus(byte: number | undefined): TransactionStatus {
  if (byte === 0x54) return 'T';
  if (byte === 0x45) return 'E';
  return 'I';
}
